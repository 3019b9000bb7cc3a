"""The benchmark's two references for long-format sources, each run as its own process:

    python -m benchmarks.reference same-output RAW_DIR SOURCE_ID[,SOURCE_ID...] OUT.parquet WORK
    python -m benchmarks.reference floor DATA_FILE[,DATA_FILE...] OUT.parquet WORK_DIR

`same-output` (b) is a hand-written DuckDB script that produces what the pipeline publishes for
those sources (one, or many: the bench's many_sources shape), from the same input, with no
framework: the same checks (the origin record's sha256; for CSV the same byte checks and
per-cell type rules; the source's spec rules, declared indicators, value range, key and country
codes; the rules and key of marts.indicators: the same pandera schemas, run in DuckDB by the
same runner, transforms/validation.py), the same rows of marts.indicators with every column (a
view over the typed tables, as in the pipeline), and the same Parquet export of those rows (same
columns and types, same row order, zstd, same row groups). Its plan is the shortest one a
person would write: one typed table per source, one view, one write of each source's rows in
key order, source after source. It prints its steps' seconds.

`floor` (c) is DuckDB's floor: the files read and written back to Parquet, no checks, one COPY.

Belongs here: those two scripts. Stays out: timing them (benchmarks/run.py), comparing their
exports with the pipeline's (benchmarks/compare_exports.py).
"""

# ruff: noqa: S608 (the SQL holds only constants, paths and identifiers of this script)
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb
import pyarrow
import pyarrow.parquet as pq
import yaml

from benchmarks.reference_source import (
    Source,
    check_bytes,
    check_source,
    count,
    fail,
    load_references,
    typed_table,
)
from pipeline.schemas.model_specs import load_model_spec
from pipeline.schemas.rules import sql_literal
from pipeline.schemas.spec import TableSpec, quote_ident
from pipeline.settings import MODELS_DIR, duckdb_memory_limit
from pipeline.transforms import files
from pipeline.transforms.validation import validate_relation

ROW_GROUP_ROWS = 1_000_000  # as the pipeline's exports
SOURCE_KEY = ("country_iso3", "year", "indicator_code")
# marts.indicators for a long-format source's rows (pipeline/sql/staging/stg_sources__indicators
# .sql and pipeline/sql/marts/indicators.sql, written out for this one source).
MART_COLUMNS = {
    "source_id": "{source_id}",
    "source_locator": "{shown}",
    "source_line": "CAST(src.line AS INTEGER)",
    "country_iso3": "src.country_iso3",
    "country_name": "names.name",
    "edition_year": "src.year",
    "edition_label": "CAST(src.year AS VARCHAR)",
    "factor_code": "src.indicator_code",
    "factor_name": "defs.indicator_name",
    "paper_label": "NULL",
    "scope": "'global'",
    "scope_name": "'as given by the source'",
    "rank": "src.rank",
    "n_ranked": "src.n_ranked",
    "missing_reason": "CASE WHEN src.rank IS NULL THEN 'the source gives no rank' END",
    "cell_text": "NULL",
    "paper_citation_key": "NULL",
    "score": "src.value",
    "score_low": "NULL",
    "score_high": "NULL",
    "value_label": "NULL",  # a long-format source has no coded values to name
    "country_code_status": "names.status",
    "verification": "NULL",
    "verification_note": "NULL",
    "erratum": "NULL",
}


class Steps:
    """Seconds per named step, printed as JSON at the end."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.started = time.monotonic()

    def done(self, name: str) -> None:
        now = time.monotonic()
        self.seconds[name] = round(now - self.started, 3)
        self.started = now


def connect(work: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(work / "reference.duckdb"))
    con.execute(f"SET memory_limit = {sql_literal(duckdb_memory_limit())}")
    con.execute(f"SET temp_directory = {sql_literal(str(work / 'duckdb_tmp'))}")
    con.execute("SET enable_progress_bar = false")
    return con


def order_free(con) -> None:
    """Checks do not depend on insertion order (as the pipeline's checks)."""
    con.execute("SET preserve_insertion_order = false")


# --- (b) same output ---------------------------------------------------------------------------


def same_output(raw_dir: Path, source_ids: list[str], out: Path, work: Path) -> dict:
    steps = Steps()
    sources = []
    for n, source_id in enumerate(sorted(source_ids)):
        record = yaml.safe_load((raw_dir / "indicators" / f"{source_id}.meta.yml").read_text())
        data = raw_dir / "indicators" / record["file"]
        sources.append(Source(source_id, record, data, files.shown(data, raw_dir), f"src_{n}"))
    newlines = [check_bytes(s.data, s.record, s.shown, s.data.suffix == ".csv") for s in sources]
    steps.done("bytes and sha256")
    con = connect(work)
    load_references(con, raw_dir, sources)
    steps.done("references")
    for source, lines in zip(sources, newlines, strict=True):
        typed_table(con, source, lines)
    steps.done("typed table")
    order_free(con)
    for source in sources:
        check_source(con, source)
    steps.done("source checks")
    mart = load_model_spec(MODELS_DIR / "marts" / "indicators.yml", "indicators")[0]
    mart_view(con, mart, sources)
    check_mart(con, mart)
    steps.done("mart view and checks")
    rows = export(con, mart, sources, out)
    steps.done("export")
    return {"rows": rows, "steps": steps.seconds}


def mart_view(con, mart: TableSpec, sources: list[Source]) -> None:
    """`mart_<n>`: a source's rows of marts.indicators; `mart`: all of them."""
    for source in sources:
        values = {"source_id": sql_literal(source.source_id), "shown": sql_literal(source.shown)}
        columns = ", ".join(
            f"CAST({MART_COLUMNS[f.name].format(**values)} AS {f.duckdb_type}) AS "
            f"{quote_ident(f.name)}"
            for f in mart.fields
        )
        con.execute(
            f"CREATE VIEW mart_{source.table} AS SELECT {columns} FROM {source.table} AS src "
            "JOIN names ON names.code = src.country_iso3 "
            f"JOIN defs ON defs.source_id = {values['source_id']} "
            "AND defs.indicator_code = src.indicator_code"
        )
    union = " UNION ALL ".join(f"SELECT * FROM mart_{s.table}" for s in sources)
    con.execute(f"CREATE VIEW mart AS {union}")


def check_mart(con, mart: TableSpec) -> None:
    """marts.indicators' pandera schema (its rules and key), in DuckDB as the pipeline runs it."""
    problems = validate_relation(con, mart, "mart", "mart")
    if problems:
        fail(f"a rule of marts.indicators fails: {problems[0].message()}")


def export(con, mart: TableSpec, sources: list[Source], out: Path) -> int:
    """The mart's rows in key order, source after source (sorted by id): a source's rows as
    stored when they are in key order (checked in one streaming pass), else sorted; streamed
    into one zstd Parquet file."""
    con.execute("SET preserve_insertion_order = true")
    keys = ", ".join(quote_ident(k) for k in SOURCE_KEY)
    order = ", ".join(quote_ident(k) for k in mart.primary_key)
    queries = []
    for source in sources:
        disordered = count(
            con,
            f"SELECT count_if(NOT after) FROM (SELECT coalesce(({keys}) > lag(({keys})) OVER (), "
            f"TRUE) AS after FROM {source.table})",
        )
        sort = f" ORDER BY {order}" if disordered else ""
        queries.append(f"SELECT * FROM mart_{source.table}{sort}")
    schema = mart.arrow_schema({"table": "marts.indicators"})
    con.execute("SET threads = 1")  # a streamed scan keeps its stored order
    rows, pending = 0, []
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for query in queries:
            for batch in con.sql(query).to_arrow_reader(122_880):
                pending.append(batch.cast(schema))
                if sum(b.num_rows for b in pending) >= ROW_GROUP_ROWS:
                    table = pyarrow.Table.from_batches(pending, schema)
                    writer.write_table(
                        table.slice(0, ROW_GROUP_ROWS), row_group_size=ROW_GROUP_ROWS
                    )
                    pending = table.slice(ROW_GROUP_ROWS).to_batches()
                    rows += ROW_GROUP_ROWS
        if pending:
            table = pyarrow.Table.from_batches(pending, schema)
            writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
            rows += table.num_rows
    return rows


# --- (c) floor ---------------------------------------------------------------------------------


def floor(data: list[Path], out: Path, work: Path) -> dict:
    con = connect(work)
    listed = f"[{', '.join(sql_literal(str(d)) for d in data)}]"
    reader = f"read_csv({listed})" if data[0].suffix == ".csv" else f"read_parquet({listed})"
    con.execute(
        f"COPY (SELECT * FROM {reader}) TO {sql_literal(str(out))} (FORMAT parquet, "
        "COMPRESSION zstd)"
    )
    return {"rows": pq.ParquetFile(out).metadata.num_rows}


def main(argv: list[str]) -> None:
    command, *args = argv
    if command == "same-output":
        raw_dir, source_ids, out, work = args
        result = same_output(Path(raw_dir), source_ids.split(","), Path(out), Path(work))
    elif command == "floor":
        data, out, work = args
        result = floor([Path(d) for d in data.split(",")], Path(out), Path(work))
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
