"""Long-format indicator sources (raw/indicators/): find them, read each with the one reader,
validate it in DuckDB with its spec's pandera schema (transforms/validation.py; no pandas: a
source may hold tens of millions of rows), and gather the valid ones for marts.indicators.

A source is `raw/indicators/<source_id>.meta.yml` (its origin record) naming a data file
(`.csv` or `.parquet`) beside it. Adding one needs no code: the next load of the definitions
shows it as an asset, and the next refresh validates it and adds it to marts.indicators.

Belongs here: discovery, source-specific rules (declared indicators, value range, country
codes), loading, validation. Stays out: Dagster, the marts' SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.schemas.dated import bound_by_access
from pipeline.schemas.fields import SOURCE_ID
from pipeline.schemas.indicator_sources import (
    DATA_FORMATS,
    GATHERED,
    LONG_SOURCE,
    OPTIONAL_COLUMNS,
)
from pipeline.schemas.origin import LONG_SOURCE as LONG_SOURCE_KIND
from pipeline.schemas.origin import line_of_field
from pipeline.schemas.rules import checks_api, sql_literal
from pipeline.schemas.spec import qualified, quote_ident
from pipeline.transforms import files
from pipeline.transforms.duck import insert_rows, run
from pipeline.transforms.problems import Problem
from pipeline.transforms.sources.origins import (
    RECORD_SUFFIX,
    LoadedRecord,
    check_against_data,
    load_record,
)
from pipeline.transforms.sources.reader import read_table
from pipeline.transforms.validation import EXAMPLES_PER_RULE, validate_relation

FOLDER = "indicators"
VALUES = qualified("raw", "indicator_values")
DEFINITIONS = qualified("raw", "indicator_definitions")
COUNTRY_CODES = qualified("raw", "indicator_country_codes")
# Known country codes: every ISO 3166-1 code, plus those the project's country list adds
# (Kosovo's user-assigned XKX); a source may declare more in its record's country_codes.
KNOWN_COUNTRIES_SQL = (
    "SELECT country_iso3 FROM raw.iso3166_countries UNION SELECT country_iso3 FROM raw.countries"
)


def long_source_key(source_id: str) -> str:
    """The asset of a long-format source."""
    return f"raw_{FOLDER}__{source_id}"


@dataclass
class LongSource:
    source_id: str
    record: LoadedRecord
    data_path: Path | None = None
    shown_data: str = ""
    sha256: str = ""
    unit: str = "line"
    origin_problems: list[Problem] = field(default_factory=list)
    row_problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.origin_problems and not self.row_problems

    @property
    def table(self) -> str:
        return source_table(self.source_id)


def source_table(source_id: str) -> str:
    """The typed table a long-format source's rows are loaded into."""
    return qualified("raw", f"indicator_source__{source_id}")


def source_ids(raw_dir: Path) -> list[str]:
    """The declared sources, by their origin records' names (cheap: used at definition load).
    A record whose name is not a valid id, or is the gathering asset's (`values`), is refused
    by the inventory check."""
    folder = raw_dir / FOLDER
    if not folder.is_dir():
        return []
    names = (p.name.removesuffix(RECORD_SUFFIX) for p in folder.glob(f"*{RECORD_SUFFIX}"))
    return sorted(n for n in names if re.fullmatch(SOURCE_ID, n) and n != GATHERED)


def read_source(con: duckdb.DuckDBPyConnection, raw_dir: Path, source_id: str) -> LongSource:
    """Read and validate one source into raw.indicator_source__<id>. Never raises on bad data."""
    record_file = raw_dir / FOLDER / f"{source_id}{RECORD_SUFFIX}"
    source = LongSource(source_id, load_record(record_file, raw_dir, LONG_SOURCE_KIND))
    source.origin_problems += source.record.problems
    record = source.record.record
    if record is None or source.origin_problems:
        return source
    if record.source_id != source_id:
        source.origin_problems.append(
            _record_problem(
                source, "source_id", "source_id equals the record's file name", record.source_id
            )
        )
    source.data_path = record_file.parent / record.file
    source.shown_data = files.shown(source.data_path, raw_dir)
    if source.data_path.suffix not in DATA_FORMATS:
        return source
    read = read_table(
        con,
        source.data_path,
        raw_dir,
        LONG_SOURCE,
        source.table,
        max_bytes=files.MAX_SOURCE_BYTES,
        optional=OPTIONAL_COLUMNS,
    )
    source.sha256, source.unit = read.sha256, read.unit
    source.row_problems += read.problems
    source.origin_problems += check_against_data(source.record, read.sha256)
    if read.relation and not read.problems:
        source.row_problems += validate_relation(
            con,
            bound_by_access(LONG_SOURCE, record.date_accessed),  # years not after it was read
            source.table,
            source.shown_data,
            line="line",
            unit=read.unit,
            extra=source_checks(source),
        )
        source.row_problems += undeclared_indicator_problems(con, source)
        source.row_problems += unknown_country_problems(con, source)
    return source


def reused_source(raw_dir: Path, source_id: str) -> LongSource:
    """A source reused from the published release (pipeline/reuse.py): its origin record, which
    gives its indicators and declared country codes; its data file is not read, its typed table
    is the published one."""
    record_file = raw_dir / FOLDER / f"{source_id}{RECORD_SUFFIX}"
    source = LongSource(source_id, load_record(record_file, raw_dir, LONG_SOURCE_KIND))
    source.origin_problems += source.record.problems
    if source.record.record is not None:
        source.data_path = record_file.parent / source.record.record.file
        source.shown_data = files.shown(source.data_path, raw_dir)
    return source


def _record_problem(source: LongSource, name: str, rule: str, value) -> Problem:
    loaded = source.record
    return Problem(loaded.shown, line_of_field(loaded.text, name), name, rule, str(value))


def source_checks(source: LongSource) -> list:
    """Rules that come from the origin record, as (column, pandera check): the value range."""
    record = source.record.record
    return value_range_checks(record.value_min, record.value_max)


def value_range_checks(low: float | None, high: float | None) -> list:
    """The record's value_min and value_max as (column, pandera's built-in check)."""
    checks = checks_api()
    if low is not None and high is not None:
        name = f"between value_min {low:g} and value_max {high:g}"
        return [("value", checks.in_range(low, high, name=name))]
    if low is not None:
        return [("value", checks.ge(low, name=f"at least value_min {low:g}"))]
    if high is not None:
        return [("value", checks.le(high, name=f"at most value_max {high:g}"))]
    return []


def undeclared_indicator_problems(con, source: LongSource) -> list[Problem]:
    """Rows whose indicator the origin record does not declare: a reference into the record's
    list, checked as a join (pandera's `isin` with 500 codes tests a list row by row: 108 s at
    12.5M rows, against 0.6 s; docs/performance.md)."""
    declared = sorted(source.record.record.indicators or {})
    undeclared = "indicator_code NOT IN (SELECT unnest(CAST(? AS VARCHAR[])))"
    (failures,) = run(con, f"SELECT count_if({undeclared}) FROM {source.table}", [declared])[0]  # noqa: S608
    if not failures:
        return []
    rows = run(
        con,
        f"SELECT line, indicator_code FROM {source.table} WHERE {undeclared} "  # noqa: S608
        f"ORDER BY line LIMIT {EXAMPLES_PER_RULE}",
        [declared],
    )
    rule, line = "an indicator declared in the origin record", source.unit == "line"
    problems = [
        Problem(
            source.shown_data,
            at if line else None,
            "indicator_code",
            rule,
            code,
            row=None if line else str(at),
        )
        for at, code in rows
    ]
    if failures > len(rows):
        problems.append(
            Problem(source.shown_data, None, "indicator_code", rule, f"... {failures} rows in all")
        )
    return problems


def unknown_country_problems(con, source: LongSource) -> list[Problem]:
    """Codes that are neither ISO 3166-1, nor the project's, nor declared in the record:
    one problem per distinct code, with its count and the lines it stands on."""
    declared = sorted((source.record.record.country_codes or {}).keys())
    rows = run(
        con,
        f"SELECT country_iso3, count(*), min(line), max(line) FROM {source.table} "  # noqa: S608
        f"WHERE country_iso3 NOT IN ({KNOWN_COUNTRIES_SQL}) "
        # A join, not list_contains: a source may declare thousands of codes (sub-national
        # units), and list_contains scans the list once per row.
        "AND country_iso3 NOT IN (SELECT unnest(CAST(? AS VARCHAR[]))) "
        f"GROUP BY 1 ORDER BY 1 LIMIT {EXAMPLES_PER_RULE}",
        [declared],
    )
    unit = "lines" if source.unit == "line" else "rows"
    fix = (
        f"declare each under country_codes in {source.record.shown} with its name and status "
        "(README, 'Adding a long-format indicator source')"
    )
    return [
        Problem(
            source.shown_data,
            first if source.unit == "line" else None,
            "country_iso3",
            "a known country code (ISO 3166-1, XKX, or declared in the origin record)",
            f"{code}: {n} rows, {unit} {first}-{last}",
            row=None if source.unit == "line" else str(first),
            fix=fix,
        )
        for code, n, first, last in rows
    ]


def publish_values(con: duckdb.DuckDBPyConnection, sources: list[LongSource]) -> int:
    """`raw.indicator_values` (a view over every valid source's rows, with source_id, file and
    the line each row stands on) and `raw.indicator_definitions` (declared indicators)."""
    columns = LONG_SOURCE.select_list()
    parts = [
        f"SELECT {sql_literal(s.source_id)} AS source_id, "  # noqa: S608 (checked slug, literal)
        f"{sql_literal(s.shown_data)} AS source_file, "
        f"CAST(line AS INTEGER) AS source_line, {columns} "
        f"FROM {s.table}"
        for s in sources
    ]
    empty = (
        "SELECT CAST(NULL AS VARCHAR) AS source_id, CAST(NULL AS VARCHAR) AS source_file, "
        "CAST(NULL AS INTEGER) AS source_line, "
        + ", ".join(
            f"CAST(NULL AS {f.duckdb_type}) AS {quote_ident(f.name)}" for f in LONG_SOURCE.fields
        )
        + " WHERE FALSE"
    )
    run(con, f"CREATE OR REPLACE VIEW {VALUES} AS\n" + ("\nUNION ALL\n".join(parts) or empty))
    run(
        con,
        f"CREATE OR REPLACE TABLE {DEFINITIONS} (source_id VARCHAR, indicator_code VARCHAR, "
        "indicator_name VARCHAR, description VARCHAR)",
    )
    definitions = [
        (s.source_id, code, d.name, d.description or "")
        for s in sources
        for code, d in sorted((s.record.record.indicators or {}).items())
    ]
    insert_rows(con, DEFINITIONS, definitions)
    run(
        con,
        f"CREATE OR REPLACE TABLE {COUNTRY_CODES} (source_id VARCHAR, code VARCHAR, "
        "name VARCHAR, status VARCHAR, maps_to VARCHAR, note VARCHAR)",
    )
    codes = [
        (s.source_id, code, entry.name, entry.status, entry.maps_to, entry.note)
        for s in sources
        for code, entry in sorted((s.record.record.country_codes or {}).items())
    ]
    insert_rows(con, COUNTRY_CODES, codes)
    return len(definitions)
