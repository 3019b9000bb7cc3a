"""Parquet exports: a mart's rows written with its explicit pyarrow schema, column descriptions
and provenance in the file's metadata, byte-for-byte reproducible from the same inputs.

Belongs here: writing and reading back export files. Stays out: Dagster, building marts.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow
import pyarrow.parquet as pq

from pipeline.schemas.spec import TableSpec

PARQUET_OPTIONS = {
    "compression": "zstd",
    "compression_level": 9,
    "write_statistics": True,
    "use_dictionary": True,
    "version": "2.6",
}


def export_metadata(spec: TableSpec, provenance: dict) -> dict[str, str]:
    """File-level metadata. Nothing time- or run-dependent, so reruns give the same bytes."""
    return {
        "table": f"marts.{spec.name}",
        "description": spec.description,
        "primary_key": json.dumps(list(spec.primary_key)),
        "provenance": json.dumps(provenance, sort_keys=True),
    }


def write_parquet(table: pyarrow.Table, spec: TableSpec, path: Path, provenance: dict) -> int:
    """Cast to the spec's schema (fails loudly on a type drift) and write atomically."""
    schema = spec.arrow_schema(export_metadata(spec, provenance))
    typed = table.select(spec.column_names).cast(schema)
    temporary = path.with_name(f".{path.name}.tmp")
    pq.write_table(typed, temporary, **PARQUET_OPTIONS)
    temporary.replace(path)
    return typed.num_rows


def write_json(path: Path, document: dict) -> None:
    """Deterministic JSON (sorted keys, fixed indent), written atomically."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n",
                         encoding="utf-8")  # fmt: skip
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
