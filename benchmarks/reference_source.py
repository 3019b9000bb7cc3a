"""The same-output script's reading of each source (benchmarks/reference.py): its bytes and
sha256, the references it joins (country names, declared codes and indicators), its typed table
with the type rules, written out by hand, and its checks: its pandera schema, run in DuckDB
by the pipeline's runner, and its references, each one join.

Belongs here: those steps of the reference. Stays out: the mart and its export (reference.py).
"""

# ruff: noqa: S608 (the SQL holds only constants, paths and identifiers of this script)
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.schemas.indicator_sources import LONG_SOURCE
from pipeline.schemas.rules import sql_literal
from pipeline.schemas.spec import quote_ident
from pipeline.transforms import files
from pipeline.transforms.sources.cell_types import TYPE_RULES
from pipeline.transforms.sources.csv_bytes import scan_text
from pipeline.transforms.sources.indicator_sources import value_range_checks
from pipeline.transforms.sources.read_result import Read
from pipeline.transforms.validation import validate_relation

CSV_OPTIONS = (
    "header=true, auto_detect=false, delim=',', quote='\"', escape='\"', new_line='\\n', "
    "strict_mode=true, null_padding=false"
)


@dataclass
class Source:
    source_id: str
    record: dict
    data: Path
    shown: str
    table: str  # its typed table


def count(con, sql: str) -> int:
    return con.execute(sql).fetchall()[0][0]


def fail(message: str):
    raise SystemExit(f"reference refused the source: {message}")


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


def load_references(con, raw_dir: Path, sources: list[Source]) -> None:
    """Country names and statuses (ISO's list, then the project's, then the codes the sources
    declare), declared indicators."""
    reference = raw_dir / "reference"
    con.execute("CREATE TABLE declared (code VARCHAR, name VARCHAR, status VARCHAR)")
    declared = {
        code: (entry["name"], entry["status"])
        for s in sources
        for code, entry in (s.record.get("country_codes") or {}).items()
    }
    insert(con, "declared", [(c, *v) for c, v in declared.items()])
    con.execute(
        "CREATE TABLE names AS SELECT code, arg_min(name, priority) AS name, "
        "arg_min(status, priority) AS status FROM ("
        "SELECT country_iso3 AS code, country_name AS name, 'iso_3166_1' AS status, 1 AS priority "
        f"FROM read_csv({sql_literal(str(reference / 'iso3166_countries.csv'))}) UNION ALL "
        "SELECT country_iso3, country_name, code_status, 2 "
        f"FROM read_csv({sql_literal(str(reference / 'countries.csv'))}) UNION ALL "
        "SELECT code, name, status, 3 FROM declared) GROUP BY code"
    )
    con.execute(
        "CREATE TABLE defs (source_id VARCHAR, indicator_code VARCHAR, indicator_name VARCHAR)"
    )
    rows = [(s.source_id, c, d["name"]) for s in sources for c, d in s.record["indicators"].items()]
    insert(con, "defs", rows)


def insert(con, table: str, rows: list[tuple]) -> None:
    """Rows in one statement, each column one bound list (executemany runs one per row)."""
    if rows:
        columns = [list(c) for c in zip(*rows, strict=True)]
        con.execute(
            f"INSERT INTO {table} SELECT {', '.join(['unnest(?)'] * len(columns))}", columns
        )


def typed_table(con, source: Source, newlines: int) -> None:
    """The source's typed table: its columns typed, with `line`; cells checked by the type
    rules."""
    data, is_csv, table = source.data, source.data.suffix == ".csv", source.table
    present = [f.name for f in LONG_SOURCE.fields]
    if is_csv:
        header = data.open(encoding="utf-8").readline().strip().split(",")
        present = [n for n in present if n in header]
        types = ", ".join(f"{sql_literal(n)}: 'VARCHAR'" for n in header)
        rows = f"read_csv({sql_literal(str(data))}, {CSV_OPTIONS}, columns={{{types}}})"
    else:
        scan = f"read_parquet({sql_literal(str(data))}, file_row_number=true)"
        stored = {r[0]: r[1] for r in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()}
        present = [n for n in present if n in stored]
        if stored.get("year") not in ("INTEGER", "SMALLINT") or stored.get("value") != "DOUBLE":
            fail(f"the reference reads a Parquet source typed like the spec, not {stored}")
        rows = f"(SELECT file_row_number + 1 AS line, * FROM {scan})"
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
    typed = f"TEMP TABLE typed_{table}" if is_csv else f"TABLE {table}"
    line = "" if is_csv else ", line"
    con.execute(f"CREATE {typed} AS SELECT {', '.join(columns)}{line}{flag} FROM {rows}")
    if ok and count(con, f"SELECT count_if(NOT _ok) FROM {typed.split()[-1]}"):
        fail("a cell breaks its type's rule")
    if is_csv:
        if count(con, f"SELECT count(*) FROM typed_{table}") != newlines - 1:
            fail("a record spans lines (the reference numbers one record per line)")
        con.execute(
            f"CREATE TABLE {table} AS SELECT * EXCLUDE (_ok), rowid + 2 AS line FROM typed_{table}"
        )
        con.execute(f"DROP TABLE typed_{table}")


def check_source(con, source: Source) -> None:
    """The source's pandera schema (its rules and key) and value range, in DuckDB as the
    pipeline runs them (transforms/validation.py); its declared indicators and its country
    codes, each one join."""
    record, table = source.record, source.table
    extra = value_range_checks(record.get("value_min"), record.get("value_max"))
    problems = validate_relation(con, LONG_SOURCE, table, table, line="line", extra=extra)
    if problems:
        fail(f"a rule of the source's spec fails: {problems[0].message()}")
    declared = ", ".join(sql_literal(c) for c in sorted(record["indicators"]))
    undeclared = count(
        con,
        f"SELECT count(*) FROM {table} WHERE indicator_code NOT IN "
        f"(SELECT unnest(CAST([{declared}] AS VARCHAR[])))",
    )
    if undeclared:
        fail(f"{undeclared} rows with an undeclared indicator")
    unknown = count(
        con, f"SELECT count(*) FROM {table} WHERE country_iso3 NOT IN (SELECT code FROM names)"
    )
    if unknown:
        fail(f"{unknown} rows with an unknown country code")
