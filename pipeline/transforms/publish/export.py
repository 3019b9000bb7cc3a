"""Parquet exports: a mart's rows written in primary-key order with its explicit pyarrow schema,
column descriptions and provenance in the file's metadata, byte-for-byte reproducible from the
same inputs.

Ordering without a global sort: the mart is cut into ranges of its key, in key order
(transforms/key_ranges.py), written one after the other, the parts streamed from DuckDB as
Arrow batches into one pyarrow writer. A value of the key's first column holding a large part
(a long-format source of millions of rows) is written in its stored order, which is the order of
its file: a source file sorted by its key needs no sort at all. The other values are sorted in
ranges of at most a large part's rows. The parts are read by one DuckDB thread, so that DuckDB
streams a part's rows in their stored order, on a Python thread of their own a row group ahead of
the writer (transforms/duck.py). The written file is then read back, key columns only, in
one streaming pass: a file not in strict key order (a large source whose file is not sorted by
its key) is written again, every range sorted on its own, which is always right and only
slower. No step sorts the whole mart: a sort needs memory for its range only (one ORDER BY over
marts.indicators at 18.7M rows ran out of a 1.4 GB limit, and of a 6 GB one).

Belongs here: writing and reading back export files. Stays out: Dagster, building marts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pyarrow
import pyarrow.parquet as pq

from pipeline.schemas.rules import sql_literal
from pipeline.schemas.spec import TableSpec, quote_ident
from pipeline.transforms.duck import LARGE_PART_ROWS, batches_read_ahead, single_threaded
from pipeline.transforms.key_ranges import key_ranges


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
# A value of the key's first column with at least this many rows (a source of the bench's
# many-sources shape, 250k rows, or larger) is written as stored, never sorted; the smaller ones
# are sorted together in ranges below it, so a sort holds at most that many rows. An export
# written again in key order (a large source not stored in key order) sorts ranges of
# LARGE_PART_ROWS: fewer, larger ranges, each a scan of the source.
STORED_PART_ROWS = 250_000
BATCH_ROWS = 122_880  # rows per Arrow batch streamed from DuckDB (its row group size)
# Batches DuckDB reads ahead of the writer: about a row group (16 peaked 340 MB higher, no faster).
READ_AHEAD_BATCHES = ROW_GROUP_ROWS // BATCH_ROWS


def write_export(
    con, relation: str, spec: TableSpec, path: Path, provenance: dict, large=STORED_PART_ROWS
) -> int:
    """Write `relation` (a mart) to `path` in primary-key order; returns the rows written. Parts
    of at least `large` rows are written in their stored order (module docstring)."""
    with single_threaded(con):
        parts = export_parts(con, relation, spec, large)
        rows = write_parquet(con, [sql for sql, _ in parts], spec, path, provenance)
        if all(is_sorted for _, is_sorted in parts) or in_key_order(con, path, spec):
            return rows
        ranges = _ranges(con, relation, spec, max(large, LARGE_PART_ROWS))
        sorted_parts = [_part(relation, spec, r.where) for r in ranges]
    return write_parquet(con, sorted_parts, spec, path, provenance)


def export_parts(
    con, relation: str, spec: TableSpec, large: int = STORED_PART_ROWS
) -> list[tuple[str, bool]]:
    """The mart's rows in key order, as (SELECT, sorted) to write one after the other: per value
    of the first key column, a large part as stored, the others sorted in ranges between them."""
    if not spec.primary_key:
        return [(f"SELECT {spec.select_list()} FROM {relation}", True)]  # noqa: S608
    parts = []
    for found in _ranges(con, relation, spec, large, depth=1):
        if found.single:
            parts.append((_part(relation, spec, found.where, ordered=False), False))
        else:
            parts.append((_part(relation, spec, found.where), True))
    return parts


def _ranges(con, relation: str, spec: TableSpec, large: int, depth: int | None = None):
    """Ranges of the key holding fewer than `large` rows each, or one large value."""
    return key_ranges(con, relation, spec.primary_key, large - 1, depth=depth, cover_all=False)


def _part(relation: str, spec: TableSpec, where: str, ordered: bool = True) -> str:
    order = ", ".join(quote_ident(c) for c in spec.primary_key)
    query = f"SELECT {spec.select_list()} FROM {relation} WHERE {where}"  # noqa: S608
    return f"{query} ORDER BY {order}" if ordered else query


def in_key_order(con, path: Path, spec: TableSpec) -> bool:
    """Each row of the file is after the one before it in key order (so keys are unique too),
    read back in file order, key columns only, in one streaming pass."""
    if not spec.primary_key:
        return True
    keys = ", ".join(quote_ident(k) for k in spec.primary_key)
    (disordered,) = con.execute(
        f"SELECT count_if(NOT after) FROM (SELECT coalesce(({keys}) > lag(({keys})) "  # noqa: S608
        f"OVER (), TRUE) AS after FROM read_parquet({sql_literal(str(path))}))"
    ).fetchall()[0]
    return disordered == 0


def copy_parquet(con, select_sql: str, spec: TableSpec, path: Path, provenance: dict) -> int:
    """Write a query's rows (module docstring); returns how many."""
    return write_parquet(con, [select_sql], spec, path, provenance)


def write_parquet(con, parts: list[str], spec: TableSpec, path: Path, provenance: dict) -> int:
    """Write the rows of `parts`, one query after the other, streamed from DuckDB as Arrow
    batches into one file with the spec's Arrow schema (column descriptions included, restored
    by pyarrow-based readers: pandas, pyarrow, R arrow), the table's description and provenance.
    Row groups have a fixed size: the same rows give the same bytes."""
    schema = spec.arrow_schema(export_metadata(spec, provenance))
    temporary = path.with_name(f".{path.name}.tmp")
    rows = 0
    with pq.ParquetWriter(temporary, schema, compression="zstd") as writer:
        for group in _row_groups(con, parts, schema):
            writer.write_table(group, row_group_size=ROW_GROUP_ROWS)
            rows += group.num_rows
    temporary.replace(path)
    return rows


def _row_groups(con, parts: list[str], schema) -> Iterator:
    """The parts' rows as tables of ROW_GROUP_ROWS rows (the last one shorter), in order. DuckDB
    reads them a row group ahead, on a thread of its own, while the caller compresses and
    writes the one before: at 12.5M rows an export took 6.6 to 8.7 s instead of 9.0 to 12.2 s,
    for 30 to 70 MB more (same bytes; exports stage of the bench, docs/performance.md)."""
    pending, count = [], 0
    batches = batches_read_ahead(
        con, parts, BATCH_ROWS, READ_AHEAD_BATCHES, lambda batch: batch.cast(schema)
    )
    with closing(batches):
        for batch in batches:
            pending.append(batch)
            count += batch.num_rows
            while count >= ROW_GROUP_ROWS:
                table = pyarrow.Table.from_batches(pending, schema)
                yield table.slice(0, ROW_GROUP_ROWS)
                rest = table.slice(ROW_GROUP_ROWS)
                pending, count = rest.to_batches(), rest.num_rows
    if count:
        yield pyarrow.Table.from_batches(pending, schema)


def remove_unlisted(directory: Path, names: set[str]) -> list[str]:
    """Delete the files of `directory` not in `names`: a build's exports start as a copy of the
    published ones, and the export of a mart that no longer exists must not be published again
    with its old rows. Returns the names removed."""
    removed = sorted(p.name for p in directory.iterdir() if p.name not in names)
    for name in removed:
        (directory / name).unlink()
    return removed


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
