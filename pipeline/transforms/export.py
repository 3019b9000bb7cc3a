"""Parquet exports: a mart's rows written with its explicit pyarrow schema, column descriptions
and provenance in the file's metadata, byte-for-byte reproducible from the same inputs.

Belongs here: writing and reading back export files. Stays out: Dagster, building marts.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pyarrow.parquet as pq

from pipeline.schemas.rules import sql_literal
from pipeline.schemas.spec import TableSpec


def export_metadata(spec: TableSpec, provenance: dict) -> dict[str, str]:
    """File-level metadata. Nothing time- or run-dependent, so reruns give the same bytes."""
    return {
        "table": f"marts.{spec.name}",
        "description": spec.description,
        "primary_key": json.dumps(list(spec.primary_key)),
        "provenance": json.dumps(provenance, sort_keys=True),
    }


# Row groups of a fixed size, so that the same rows always give the same bytes.
ROW_GROUP_ROWS = 1_000_000


def copy_parquet(con, select_sql: str, spec: TableSpec, path: Path, provenance: dict) -> int:
    """Write a query's rows with DuckDB's own (parallel) Parquet writer. The file still
    carries the spec's Arrow schema, with the column descriptions, in the `ARROW:schema`
    key-value entry that pyarrow-based readers (pandas, pyarrow, R arrow) restore, next to the
    table's description and provenance. Row groups have a fixed size: same bytes every run."""
    schema = spec.arrow_schema(export_metadata(spec, provenance))
    metadata = {
        **export_metadata(spec, provenance),
        "ARROW:schema": base64.b64encode(schema.serialize().to_pybytes()).decode("ascii"),
    }
    entries = ", ".join(f"{sql_literal(k)}: {sql_literal(v)}" for k, v in metadata.items())
    temporary = path.with_name(f".{path.name}.tmp")
    options = (
        f"FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP_ROWS}, "
        f"KV_METADATA {{{entries}}}"
    )
    con.execute(f"COPY ({select_sql}) TO {sql_literal(str(temporary))} ({options})").fetchall()
    temporary.replace(path)
    return pq.ParquetFile(path).metadata.num_rows


def write_json(path: Path, document: dict) -> None:
    """Deterministic JSON (sorted keys, fixed indent), written atomically."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(
        json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    temporary.replace(path)


def read_back_problems(path: Path, spec: TableSpec, expected_rows: int) -> list[str]:
    """What is wrong with a written export, if anything: schema, row count."""
    problems = []
    written = pq.read_schema(path)
    expected = spec.arrow_schema()
    if [(f.name, f.type) for f in written] != [(f.name, f.type) for f in expected]:
        problems.append(f"{path.name}: schema differs from the spec of marts.{spec.name}")
    rows = pq.ParquetFile(path).metadata.num_rows
    if rows != expected_rows:
        problems.append(f"{path.name}: {rows} rows, marts.{spec.name} has {expected_rows}")
    return problems
