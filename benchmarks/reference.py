"""The benchmark's two references for one long-format source, each run as its own process:

    python -m benchmarks.reference same-output RAW_DIR SOURCE_ID OUT.parquet WORK_DIR
    python -m benchmarks.reference floor DATA_FILE OUT.parquet WORK_DIR
    python -m benchmarks.reference compare PIPELINE_EXPORT REFERENCE_EXPORT SOURCE_ID

`same-output` (b) is a hand-written DuckDB script that produces what the pipeline publishes for
that source, from the same input, with no framework: the same checks (the origin record's
sha256; for CSV the same byte checks and per-cell type rules; the source's spec rules, declared
indicators, value range, key and country codes; the rules and key of marts.indicators, all
compiled from the same specs), the same rows of marts.indicators with every column (a view
over the typed table, as in the pipeline), and the same Parquet export of those rows (same
columns and types, same row order, zstd, same row groups). Its plan is the shortest one a
person would write: one typed table, one view, one ordered write. It prints its steps' seconds.

`floor` (c) is DuckDB's floor: the file read and written back to Parquet, no checks, one COPY.

`compare` checks that the pipeline's export holds the source's rows exactly as (b) wrote them:
the same columns and types, the same rows in the same order, both zstd-compressed.

Belongs here: those two scripts. Stays out: timing them (benchmarks/run.py).
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

from pipeline.schemas.indicator_sources import LONG_SOURCE
from pipeline.schemas.model_specs import load_model_spec
from pipeline.schemas.rules import sql_literal
from pipeline.schemas.spec import TableSpec, quote_ident
from pipeline.settings import MODELS_DIR, duckdb_memory_limit
from pipeline.transforms import files
from pipeline.transforms.reader import TYPE_RULES, Read, scan_text

ROW_GROUP_ROWS = 1_000_000  # as the pipeline's exports
CSV_OPTIONS = (
    "header=true, auto_detect=false, delim=',', quote='\"', escape='\"', new_line='\\n', "
    "strict_mode=true, null_padding=false"
)
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


def count(con, sql: str) -> int:
    return con.execute(sql).fetchall()[0][0]


def fail(message: str):
    raise SystemExit(f"reference refused the source: {message}")


# --- (b) same output ---------------------------------------------------------------------------


def same_output(raw_dir: Path, source_id: str, out: Path, work: Path) -> dict:
    steps = Steps()
    record = yaml.safe_load((raw_dir / "indicators" / f"{source_id}.meta.yml").read_text())
    data = raw_dir / "indicators" / record["file"]
    shown = files.shown(data, raw_dir)
    is_csv = data.suffix == ".csv"
    newlines = check_bytes(data, record, shown, is_csv)
    steps.done("bytes and sha256")
    con = connect(work)
    load_references(con, raw_dir, record, source_id)
    steps.done("references")
    typed_table(con, data, is_csv, newlines)
    steps.done("typed table")
    order_free(con)
    check_source(con, record)
    steps.done("source checks")
    mart = load_model_spec(MODELS_DIR / "marts" / "indicators.yml", "indicators")[0]
    mart_view(con, mart, source_id, shown)
    check_mart(con, mart)
    steps.done("mart view and checks")
    rows = export(con, mart, out)
    steps.done("export")
    return {"rows": rows, "steps": steps.seconds}


def check_bytes(data: Path, record: dict, shown: str, is_csv: bool) -> int:
    """The file's sha256 against its record; for CSV also the pipeline's byte checks (UTF-8, no
    BOM, LF, final newline) in the same pass. Returns the CSV's line breaks."""
    read = Read(shown)
    if is_csv:
        scan_text(data, read)
    else:
        read.sha256 = files.sha256_file(data)
    if read.problems:
        fail("; ".join(p.message() for p in read.problems))
    if read.sha256 != record["sha256"]:
        fail(f"sha256 {read.sha256} is not the record's {record['sha256']}")
    return read.newlines


def load_references(con, raw_dir: Path, record: dict, source_id: str) -> None:
    """Country names and statuses (ISO's list, then the project's), declared indicators."""
    reference = raw_dir / "reference"
    con.execute(
        "CREATE TABLE names AS SELECT code, arg_min(name, priority) AS name, "
        "arg_min(status, priority) AS status FROM ("
        "SELECT country_iso3 AS code, country_name AS name, 'iso_3166_1' AS status, 1 AS priority "
        f"FROM read_csv({sql_literal(str(reference / 'iso3166_countries.csv'))}) UNION ALL "
        "SELECT country_iso3, country_name, code_status, 2 "
        f"FROM read_csv({sql_literal(str(reference / 'countries.csv'))})) GROUP BY code"
    )
    con.execute(
        "CREATE TABLE defs (source_id VARCHAR, indicator_code VARCHAR, indicator_name VARCHAR)"
    )
    con.executemany(
        "INSERT INTO defs VALUES (?, ?, ?)",
        [(source_id, code, d["name"]) for code, d in sorted(record["indicators"].items())],
    )


def typed_table(con, data: Path, is_csv: bool, newlines: int) -> None:
    """`src`: the source's columns typed, with `line`; cells checked by the type rules."""
    present = [f.name for f in LONG_SOURCE.fields]
    if is_csv:
        header = data.open(encoding="utf-8").readline().strip().split(",")
        present = [n for n in present if n in header]
        types = ", ".join(f"{sql_literal(n)}: 'VARCHAR'" for n in header)
        rows = f"read_csv({sql_literal(str(data))}, {CSV_OPTIONS}, columns={{{types}}})"
    else:
        source = f"read_parquet({sql_literal(str(data))}, file_row_number=true)"
        stored = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
        present = [n for n in present if n in stored]
        if stored.get("year") not in ("INTEGER", "SMALLINT") or stored.get("value") != "DOUBLE":
            fail(f"the reference reads a Parquet source typed like the spec, not {stored}")
        rows = f"(SELECT file_row_number + 1 AS line, * FROM {source})"
    checked = [n for n in present if is_csv and LONG_SOURCE.field(n).dtype in TYPE_RULES]
    columns, ok = [], []
    for f in LONG_SOURCE.fields:
        name = quote_ident(f.name)
        if f.name not in present:
            columns.append(f"CAST(NULL AS {f.duckdb_type}) AS {name}")
        elif f.name in checked:
            holds = TYPE_RULES[f.dtype][1].format(c=name)
            columns.append(
                f"CASE WHEN {holds} THEN {TYPE_RULES[f.dtype][2].format(c=name)} END AS {name}"
            )
            ok.append(f"({name} IS NULL OR {holds})")
        else:
            columns.append(f"CAST({name} AS {f.duckdb_type}) AS {name}")
    flag = f", {' AND '.join(ok)} AS _ok" if ok else ""
    # A CSV is read in parallel, its lines added from the rows' order (rowid), as the pipeline.
    typed = "TEMP TABLE typed" if is_csv else "TABLE src"
    line = "" if is_csv else ", line"
    con.execute(f"CREATE {typed} AS SELECT {', '.join(columns)}{line}{flag} FROM {rows}")
    if ok and count(con, f"SELECT count_if(NOT _ok) FROM {typed.split()[-1]}"):
        fail("a cell breaks its type's rule")
    if is_csv:
        if count(con, "SELECT count(*) FROM typed") != newlines - 1:
            fail("a record spans lines (the reference numbers one record per line)")
        con.execute("CREATE TABLE src AS SELECT * EXCLUDE (_ok), rowid + 2 AS line FROM typed")


def check_source(con, record: dict) -> None:
    """The source's spec rules, declared indicators and value range in one scan; its key; its
    country codes."""
    holds = [c.holds for c in LONG_SOURCE.sql_checks()]
    declared = ", ".join(sql_literal(c) for c in sorted(record["indicators"]))
    holds.append(f'"indicator_code" IN (SELECT unnest(CAST([{declared}] AS VARCHAR[])))')
    low, high = record.get("value_min"), record.get("value_max")
    bounds = [f'"value" >= {low!r}'] * (low is not None) + [f'"value" <= {high!r}'] * (
        high is not None
    )
    holds += [f'("value" IS NULL OR ({" AND ".join(bounds)}))'] if bounds else []
    failing = con.execute(
        "SELECT " + ", ".join(f"count_if(NOT ({h}))" for h in holds) + " FROM src"
    ).fetchall()[0]
    if any(failing):
        fail(f"a rule of the source's spec fails: {failing}")
    key_is_unique(con, "src", LONG_SOURCE.primary_key)
    unknown = count(
        con, "SELECT count(*) FROM src WHERE country_iso3 NOT IN (SELECT code FROM names)"
    )
    if unknown:
        fail(f"{unknown} rows with an unknown country code")


def key_is_unique(con, relation: str, key) -> None:
    """As the pipeline: rows whose keys hash alike, then those grouped by their keys."""
    keys = ", ".join(quote_ident(k) for k in key)
    alike = (
        f"hash({keys}) IN (SELECT h FROM (SELECT hash({keys}) AS h FROM {relation}) "
        "GROUP BY h HAVING count(*) > 1)"
    )
    clashes = con.execute(
        f"SELECT {keys} FROM {relation} WHERE {alike} GROUP BY {keys} HAVING count(*) > 1 LIMIT 1"
    ).fetchall()
    if clashes:
        fail(f"key ({keys}) is not unique in {relation}: {clashes[0]}")


def mart_view(con, mart: TableSpec, source_id: str, shown: str) -> None:
    values = {"source_id": sql_literal(source_id), "shown": sql_literal(shown)}
    columns = ", ".join(
        f"CAST({MART_COLUMNS[f.name].format(**values)} AS {f.duckdb_type}) AS {quote_ident(f.name)}"
        for f in mart.fields
    )
    con.execute(
        f"CREATE VIEW mart AS SELECT {columns} FROM src "
        "JOIN names ON names.code = src.country_iso3 "
        "JOIN defs ON defs.indicator_code = src.indicator_code"
    )


def check_mart(con, mart: TableSpec) -> None:
    failing = con.execute(
        "SELECT "
        + ", ".join(f"count_if(NOT ({c.holds}))" for c in mart.sql_checks())
        + " FROM mart"
    ).fetchall()[0]
    if any(failing):
        fail(f"a rule of marts.indicators fails: {failing}")
    key_is_unique(con, "mart", mart.primary_key)


def export(con, mart: TableSpec, out: Path) -> int:
    """The mart's rows in key order: as stored when the source's rows are in key order (checked
    in one streaming pass), else sorted; streamed into one zstd Parquet file."""
    con.execute("SET preserve_insertion_order = true")
    keys = ", ".join(quote_ident(k) for k in SOURCE_KEY)
    disordered = count(
        con,
        f"SELECT count_if(NOT after) FROM (SELECT coalesce(({keys}) > lag(({keys})) OVER (), "
        "TRUE) AS after FROM src)",
    )
    order = ", ".join(quote_ident(k) for k in mart.primary_key)
    query = f"SELECT * FROM mart{f' ORDER BY {order}' if disordered else ''}"
    schema = mart.arrow_schema({"table": "marts.indicators"})
    con.execute("SET threads = 1")  # a streamed scan keeps its stored order
    rows, pending = 0, []
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        for batch in con.sql(query).to_arrow_reader(122_880):
            pending.append(batch.cast(schema))
            if sum(b.num_rows for b in pending) >= ROW_GROUP_ROWS:
                table = pyarrow.Table.from_batches(pending, schema)
                writer.write_table(table.slice(0, ROW_GROUP_ROWS), row_group_size=ROW_GROUP_ROWS)
                pending = table.slice(ROW_GROUP_ROWS).to_batches()
                rows += ROW_GROUP_ROWS
        if pending:
            table = pyarrow.Table.from_batches(pending, schema)
            writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
            rows += table.num_rows
    return rows


# --- (c) floor ---------------------------------------------------------------------------------


def floor(data: Path, out: Path, work: Path) -> dict:
    con = connect(work)
    reader = (
        f"read_csv({sql_literal(str(data))})"
        if data.suffix == ".csv"
        else f"read_parquet({sql_literal(str(data))})"
    )
    con.execute(
        f"COPY (SELECT * FROM {reader}) TO {sql_literal(str(out))} (FORMAT parquet, "
        "COMPRESSION zstd)"
    )
    return {"rows": pq.ParquetFile(out).metadata.num_rows}


def compare(pipeline_export: Path, reference_export: Path, source_id: str) -> dict:
    """The source's rows of the pipeline's export and the reference's export: the same columns
    and types, the same rows in the same order, both zstd-compressed."""
    a = (
        f"(SELECT * FROM read_parquet({sql_literal(str(pipeline_export))}) "  # noqa: S608
        f"WHERE source_id = {sql_literal(source_id)})"
    )
    b = f"read_parquet({sql_literal(str(reference_export))})"
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        query = "DESCRIBE SELECT * FROM {}"
        described = [con.execute(query.format(r)).fetchall() for r in (a, b)]
        names = [f'"{row[0]}"' for row in described[1]]
        x, y = (", ".join(f"{side}.{n}" for n in names) for side in "xy")
        different, total = con.execute(
            f"SELECT count(*) FILTER (WHERE ROW({x}) IS DISTINCT FROM ROW({y})), count(*) "  # noqa: S608
            f"FROM (SELECT row_number() OVER () AS n, * FROM {a}) x "
            f"FULL JOIN (SELECT row_number() OVER () AS n, * FROM {b}) y USING (n)"
        ).fetchall()[0]
    codecs = set()
    for path in (pipeline_export, reference_export):
        meta = pq.ParquetFile(path).metadata
        for g in range(meta.num_row_groups):
            codecs |= {meta.row_group(g).column(c).compression for c in range(meta.num_columns)}
    equal = described[0] == described[1] and different == 0 and total > 0 and codecs == {"ZSTD"}
    return {"equal": equal, "rows": total, "different_rows": different, "codecs": sorted(codecs)}


def main(argv: list[str]) -> None:
    command, *args = argv
    if command == "same-output":
        raw_dir, source_id, out, work = args
        result = same_output(Path(raw_dir), source_id, Path(out), Path(work))
    elif command == "compare":
        pipeline_export, reference_export, source_id = args
        result = compare(Path(pipeline_export), Path(reference_export), source_id)
    elif command == "floor":
        data, out, work = args
        result = floor(Path(data), Path(out), Path(work))
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
