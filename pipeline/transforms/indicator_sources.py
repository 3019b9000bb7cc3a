"""Long-format indicator sources (raw/indicators/): discover them, load each into DuckDB and
validate it there, with the rules of its spec run as SQL (no pandas: a source may hold tens of
millions of rows).

A source is `raw/indicators/<source_id>.meta.yml` (its origin record) naming a data file
(`.csv` or `.parquet`) beside it. Adding one needs no code: the next load of the definitions
shows it as an asset, and the next refresh validates it and adds it to marts.indicators.

Belongs here: discovery, origin-record checks specific to sources, loading, validation.
Stays out: Dagster, the marts' SQL.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.schemas.checks import sql_literal
from pipeline.schemas.indicator_sources import (
    DATA_FORMATS,
    INDICATOR_CODE,
    LONG_SOURCE,
    OPTIONAL_COLUMNS,
    SOURCE_ID,
    SOURCE_ORIGIN_FIELDS,
)
from pipeline.schemas.spec import qualified, quote_ident
from pipeline.transforms.problems import Problem
from pipeline.transforms.raw_io import (
    REQUIRED_ORIGIN_FIELDS,
    check_origin_record,
    load_origin_record,
)
from pipeline.transforms.sql_checks import SqlRule, validate_relation

FOLDER = "indicators"
ORIGIN_SUFFIX = ".meta.yml"
HASH_CHUNK_BYTES = 8 * 1024 * 1024
DUCKDB_TYPES = {f.name: f.duckdb_type for f in LONG_SOURCE.fields}
# Known country codes: every ISO 3166-1 code, plus those the project's country list adds
# (Kosovo's user-assigned XKX).
KNOWN_COUNTRIES_SQL = (
    "SELECT country_iso3 FROM raw.iso3166_countries UNION SELECT country_iso3 FROM raw.countries"
)


@dataclass
class IndicatorSource:
    source_id: str
    origin_path: Path
    origin: dict = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def shown_origin(self) -> str:
        return f"raw/{FOLDER}/{self.origin_path.name}"

    @property
    def data_path(self) -> Path | None:
        """The data file beside the origin record; None if `file` is missing or is a path
        (a source never reads outside raw/indicators/)."""
        name = str(self.origin.get("file") or "")
        if not name or "/" in name or "\\" in name or name in (".", ".."):
            return None
        return self.origin_path.parent / name

    @property
    def shown_data(self) -> str:
        return f"raw/{FOLDER}/{self.origin.get('file', '?')}"

    @property
    def table(self) -> str:
        return f"indicator_source__{self.source_id}"

    @property
    def indicators(self) -> dict[str, dict]:
        declared = self.origin.get("indicators")
        return declared if isinstance(declared, dict) else {}


def source_ids(raw_dir: Path) -> list[str]:
    """The declared sources, by their origin records' names (cheap: used at definition load)."""
    folder = raw_dir / FOLDER
    if not folder.is_dir():
        return []
    names = (p.name.removesuffix(ORIGIN_SUFFIX) for p in folder.glob(f"*{ORIGIN_SUFFIX}"))
    return sorted(n for n in names if re.fullmatch(SOURCE_ID, n))


def discover(raw_dir: Path) -> list[IndicatorSource]:
    sources = []
    for source_id in source_ids(raw_dir):
        path = raw_dir / FOLDER / f"{source_id}{ORIGIN_SUFFIX}"
        source = IndicatorSource(source_id, path)
        source.origin, source.problems = load_origin_record(path, source.shown_origin, "data")
        sources.append(source)
    return sources


def check_origin(source: IndicatorSource) -> list[Problem]:
    """The origin record is complete, names this source and an existing data file, declares
    its indicators, and its checksum matches the data file."""
    origin, shown = source.origin, source.shown_origin
    problems = []
    if origin.get("source_id") != source.source_id:
        problems.append(Problem(shown, None, "source_id", "source_id equals the file name",
                                str(origin.get("source_id"))))  # fmt: skip
    data = source.data_path
    if data is None or data.suffix not in DATA_FORMATS or not data.is_file():
        rule = "file names a .csv or .parquet file beside the origin record (a name, not a path)"
        return [*problems, Problem(shown, None, "file", rule, str(origin.get("file")))]
    problems += _indicator_declaration_problems(source)
    problems += _value_range_problems(source)
    problems += check_origin_record(
        origin, shown, sha256_of_file(data), LONG_SOURCE.column_names,
        (*REQUIRED_ORIGIN_FIELDS, *SOURCE_ORIGIN_FIELDS),
    )  # fmt: skip
    return problems


def _indicator_declaration_problems(source: IndicatorSource) -> list[Problem]:
    problems = []
    for code, definition in source.indicators.items():
        name = definition.get("name") if isinstance(definition, dict) else None
        if not re.fullmatch(INDICATOR_CODE, str(code)) or not name:
            rule = "each indicator has a code (lowercase) and a name"
            problems.append(Problem(source.shown_origin, None, "indicators", rule, str(code)))
    return problems


def _value_range_problems(source: IndicatorSource) -> list[Problem]:
    low, high = source.origin.get("value_min"), source.origin.get("value_max")
    bounds = [b for b in (low, high) if b is not None]
    if any(not isinstance(b, int | float) for b in bounds) or (
        low is not None and high is not None and low > high
    ):
        rule = "value_min and value_max are numbers, value_min <= value_max"
        return [Problem(source.shown_origin, None, "value_min", rule, f"{low}..{high}")]
    return []


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def load(con: duckdb.DuckDBPyConnection, source: IndicatorSource) -> list[Problem]:
    """The data file as `raw.indicator_source__<id>` with a `source_row` (1-based data row);
    returns problems with the file's header or with cells of the wrong type."""
    path = source.data_path
    if path.suffix == ".csv":
        return _load_csv(con, source)
    return _load_parquet(con, source)


def _present_columns(names: list[str], source: IndicatorSource) -> tuple[list[str], list[Problem]]:
    required = [c for c in LONG_SOURCE.column_names if c not in OPTIONAL_COLUMNS]
    allowed = LONG_SOURCE.column_names
    problems = [
        Problem(source.shown_data, None, name, "column required by the spec is present")
        for name in required if name not in names
    ] + [
        Problem(source.shown_data, None, name, "column is in the spec (unexpected or renamed)")
        for name in names if name not in allowed
    ]  # fmt: skip
    return [n for n in allowed if n in names], problems


def _typed_select(present: list[str], value) -> str:
    """The spec's columns in order, optional ones NULL when the file lacks them."""
    return ", ".join(
        value(name)
        if name in present
        else f"CAST(NULL AS {DUCKDB_TYPES[name]}) AS {quote_ident(name)}"
        for name in LONG_SOURCE.column_names
    )


def _load_csv(con, source: IndicatorSource) -> list[Problem]:
    path = sql_literal(str(source.data_path))
    header = con.execute(
        f"SELECT * FROM read_csv({path}, header=true, all_varchar=true) LIMIT 0"  # noqa: S608
    ).description
    present, problems = _present_columns([column[0] for column in header], source)
    if problems:
        return problems
    # Every cell is read as text; types are checked below, strictly, with the file's row.
    types = "{" + ", ".join(f"{sql_literal(n)}: 'VARCHAR'" for n in present) + "}"
    rejects = "store_rejects=true, rejects_table='source_rejects', rejects_scan='source_scans'"
    reader = f"read_csv({path}, header=true, auto_detect=false, columns={types}, {rejects})"
    con.execute("CREATE OR REPLACE TEMP TABLE source_read AS SELECT "  # noqa: S608
                f"CAST(row_number() OVER () AS BIGINT) AS source_row, * FROM {reader}")  # fmt: skip
    rejects = con.execute(
        "SELECT line - 1, column_name, error_type, error_message FROM source_rejects "
        "ORDER BY line LIMIT 50"
    ).fetchall()
    problems = [
        Problem(source.shown_data, row, column, f"well-formed CSV ({kind.lower()})", message)
        for row, column, kind, message in rejects
    ]
    return problems + _typed_from_read(con, source, present)


def _load_parquet(con, source: IndicatorSource) -> list[Problem]:
    path = sql_literal(str(source.data_path))
    con.execute("CREATE OR REPLACE TEMP TABLE source_read AS SELECT "  # noqa: S608
                f"CAST(file_row_number + 1 AS BIGINT) AS source_row, * EXCLUDE (file_row_number) "
                f"FROM read_parquet({path}, file_row_number=true)")  # fmt: skip
    names = [row[0] for row in con.execute("DESCRIBE source_read").fetchall()][1:]
    present, problems = _present_columns(names, source)
    if problems:
        return problems
    return _typed_from_read(con, source, present)


# A cell is of the column's type when: INTEGER, its text is plain ASCII digits (no rounding of
# 2022.5, no '1e3', no '2_020'); DOUBLE, it parses as a number.
_TYPE_RULES = {
    "INTEGER": "regexp_full_match(CAST({col} AS VARCHAR), '-?[0-9]{{1,9}}')",
    "DOUBLE": "TRY_CAST({col} AS DOUBLE) IS NOT NULL",
}


def _typed_from_read(con, source: IndicatorSource, present: list[str]) -> list[Problem]:
    """Check each cell's type in `source_read`, then build the typed source table from it."""
    problems = []
    typed = [n for n in present if DUCKDB_TYPES[n] in _TYPE_RULES]
    holds_of = {n: _TYPE_RULES[DUCKDB_TYPES[n]].format(col=quote_ident(n)) for n in typed}
    counts = ", ".join(
        f"count_if({quote_ident(n)} IS NOT NULL AND NOT ({holds_of[n]}))" for n in typed
    )
    failing = con.execute(f"SELECT {counts} FROM source_read").fetchall()[0] if typed else []  # noqa: S608
    for name, failures in zip(typed, failing, strict=True):
        if not failures:
            continue
        kind, column, holds = DUCKDB_TYPES[name], quote_ident(name), holds_of[name]
        failed = con.execute(
            f"SELECT source_row, CAST({column} AS VARCHAR) FROM source_read "  # noqa: S608
            f"WHERE {column} IS NOT NULL AND NOT ({holds}) ORDER BY source_row LIMIT 20"
        ).fetchall()
        rule = f"a value of type {kind}"
        problems += [Problem(source.shown_data, row, name, rule, value) for row, value in failed]
    select = _typed_select(
        present, lambda n: f"TRY_CAST({quote_ident(n)} AS {DUCKDB_TYPES[n]}) AS {quote_ident(n)}"
    )
    con.execute(f"CREATE OR REPLACE TABLE {qualified('raw', source.table)} AS "  # noqa: S608
                f"SELECT source_row, {select} FROM source_read")  # fmt: skip
    con.execute("DROP TABLE source_read")
    return problems


def source_rules(source: IndicatorSource) -> list[SqlRule]:
    """Rules that come from the origin record: declared indicators, the value range, known
    countries."""
    rules = []
    declared = ", ".join(sql_literal(code) for code in sorted(source.indicators))
    rules.append(SqlRule("indicator_code", "an indicator declared in the origin record",
                         f"\"indicator_code\" IN ({declared or 'NULL'})",
                         'CAST("indicator_code" AS VARCHAR)'))  # fmt: skip
    low, high = source.origin.get("value_min"), source.origin.get("value_max")
    if low is not None or high is not None:
        bounds = []
        if low is not None:
            bounds.append(f'"value" >= {sql_literal(low)}')
        if high is not None:
            bounds.append(f'"value" <= {sql_literal(high)}')
        rules.append(SqlRule("value", f"between value_min {low} and value_max {high}",
                             f'("value" IS NULL OR ({" AND ".join(bounds)}))',
                             'CAST("value" AS VARCHAR)'))  # fmt: skip
    rules.append(SqlRule("country_iso3", "a known country code (ISO 3166-1, or XKX)",
                         f'"country_iso3" IN ({KNOWN_COUNTRIES_SQL})',
                         'CAST("country_iso3" AS VARCHAR)'))  # fmt: skip
    return rules


def validate(con, source: IndicatorSource) -> list[Problem]:
    relation = qualified("raw", source.table)
    return validate_relation(con, LONG_SOURCE, relation, source.shown_data, "source_row",
                             source_rules(source))  # fmt: skip


def publish_values(con, sources: list[IndicatorSource]) -> int:
    """`raw.indicator_values` (every validated source's rows, with source_id and file) and
    `raw.indicator_definitions` (the declared indicators); empty when there are none."""
    columns = ", ".join(quote_ident(c) for c in LONG_SOURCE.column_names)
    # source_id is a checked slug and the file name an escaped literal (sql_literal).
    parts = [
        f"SELECT {sql_literal(s.source_id)} AS source_id, "  # noqa: S608
        f"{sql_literal(s.shown_data)} AS source_file, source_row, {columns} "
        f"FROM {qualified('raw', s.table)}"
        for s in sources
    ]
    empty = ("SELECT CAST(NULL AS VARCHAR) AS source_id, CAST(NULL AS VARCHAR) AS source_file, "
             "CAST(NULL AS BIGINT) AS source_row, "
             + ", ".join(f"CAST(NULL AS {DUCKDB_TYPES[c]}) AS {quote_ident(c)}"
                         for c in LONG_SOURCE.column_names) + " WHERE FALSE")  # fmt: skip
    union = "\nUNION ALL\n".join(parts) if parts else empty
    con.execute(f"CREATE OR REPLACE VIEW raw.indicator_values AS\n{union}")
    con.execute("CREATE OR REPLACE TABLE raw.indicator_source_files (source_id VARCHAR, "
                "path VARCHAR, sha256 VARCHAR, title VARCHAR, citation VARCHAR, url VARCHAR, "
                "license VARCHAR, origin_path VARCHAR, origin_sha256 VARCHAR)")  # fmt: skip
    files = [
        (s.source_id, s.shown_data, s.origin.get("sha256"), s.origin.get("title"),
         s.origin.get("citation"), s.origin.get("url"), s.origin.get("license"),
         s.shown_origin, hashlib.sha256(s.origin_path.read_bytes()).hexdigest())
        for s in sources
    ]  # fmt: skip
    if files:
        con.executemany(
            "INSERT INTO raw.indicator_source_files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", files
        )
    definitions = [
        (s.source_id, code, str(d.get("name")), str(d.get("description") or ""))
        for s in sources for code, d in sorted(s.indicators.items())
    ]  # fmt: skip
    con.execute(
        "CREATE OR REPLACE TABLE raw.indicator_definitions (source_id VARCHAR, "
        "indicator_code VARCHAR, indicator_name VARCHAR, description VARCHAR)"
    )
    if definitions:
        con.executemany("INSERT INTO raw.indicator_definitions VALUES (?, ?, ?, ?)", definitions)
    return len(definitions)
