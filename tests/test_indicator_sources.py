"""Dropping a long-format indicator source into raw/indicators/ needs no code change: the next
load of the definitions shows it as an asset with two blocking checks, a refresh validates it in
DuckDB and adds its rows to marts.indicators, the Parquet export and the report's sources; a
broken source is refused with its file, line (or Parquet row), column and rule.

One refresh through the real Dagster graph publishes three hand-made sources (three countries x
two years x two indicators) and a 50,000-row synthetic one; the faults run at unit level, through
the sources step on an in-memory DuckDB.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from benchmarks.synthetic_source import YEARS_START, shape_for, write_source
from pipeline import definitions
from pipeline.defs.factory import build_definitions
from pipeline.lineage import VALUES_ASSET
from pipeline.schemas.indicator_sources import LONG_SOURCE
from pipeline.schemas.raw import RAW_BY_NAME
from pipeline.transforms.sources.read_all import CHECK_ORIGIN, CHECK_ROWS
from tests.harness import Run, copy_raw, materialize, run_steps

COLUMNS = LONG_SOURCE.column_names  # country_iso3, year, indicator_code, value, rank, n_ranked
NO_RANK_COLUMNS = ["country_iso3", "year", "indicator_code", "value"]
ID_CSV, ID_PARQUET, ID_NO_RANK = "hr_demo_csv", "hr_demo_pq", "hr_demo_norank"
CSV_FILE, PARQUET_FILE = f"raw/indicators/{ID_CSV}.csv", f"raw/indicators/{ID_PARQUET}.parquet"
CSV_ORIGIN = f"raw/indicators/{ID_CSV}.meta.yml"
PARQUET_ORIGIN = f"raw/indicators/{ID_PARQUET}.meta.yml"
INDICATORS = {
    "hr.voice": {"name": "Voice and accountability", "description": "Made up for a test."},
    "hr_press": {"name": "Press freedom", "description": "Made up for a test."},
}
NAMES = {"KAZ": "Kazakhstan", "KGZ": "Kyrgyzstan", "UZB": "Uzbekistan", "XKX": "Kosovo"}
NO_RANK = "the source gives no rank"
ARROW_TYPES = {
    "country_iso3": pa.string(),
    "year": pa.int32(),
    "indicator_code": pa.string(),
    "value": pa.float64(),
    "rank": pa.int32(),
    "n_ranked": pa.int32(),
}
DROP = object()  # an origin field to leave out
SYNTHETIC_ROWS = 50_000  # 200 countries x 125 years x 2 indicators (shape_for)


def demo_rows(countries: tuple[str, ...]) -> list[dict]:
    """countries x (2021, 2022) x indicators, country-major; values 0..100 (both ends used);
    the last country has no rank."""
    rows = []
    for c, country in enumerate(countries):
        for y, year in enumerate((2021, 2022)):
            for i, code in enumerate(INDICATORS):
                ranked = c < len(countries) - 1
                rows.append(
                    {
                        "country_iso3": country,
                        "year": year,
                        "indicator_code": code,
                        "value": round((c * 4 + y * 2 + i) * 100 / 11, 2),
                        "rank": c + 1 if ranked else None,
                        "n_ranked": len(countries) - 1 if ranked else None,
                    }
                )
    return rows


CSV_ROWS = demo_rows(("KAZ", "KGZ", "UZB"))  # row 5 is KGZ 2021 hr.voice, rank 2 of 2
PARQUET_ROWS = demo_rows(("KGZ", "UZB", "XKX"))
NO_RANK_ROWS = [{k: r[k] for k in NO_RANK_COLUMNS} for r in demo_rows(("KAZ", "UZB", "KGZ"))]
assert CSV_ROWS[0]["value"] == 0 and CSV_ROWS[-1]["value"] == 100  # the range's both ends


def changed(rows: list[dict], index: int, **cells) -> list[dict]:
    return [dict(r, **cells) if n == index else dict(r) for n, r in enumerate(rows)]


def write_data(
    folder: Path,
    source_id: str,
    rows: list[dict],
    fmt: str,
    columns: list[str] | None = None,
    types: dict | None = None,
) -> Path:
    columns = columns or list(rows[0])
    path = folder / f"{source_id}.{fmt}"
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(
                [["" if r.get(c) is None else r.get(c) for c in columns] for r in rows]
            )
    else:
        types = ARROW_TYPES | (types or {})
        arrays = {
            c: pa.array([r.get(c) for r in rows], type=types.get(c, pa.string())) for c in columns
        }
        pq.write_table(pa.table(arrays), path)
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_origin(folder: Path, source_id: str, data: Path, value_range=(0, 100), /, **changes):
    origin = {
        "title": f"Hand-made test source {source_id}",
        "producer": "tests/test_indicator_sources.py",
        "citation": "Not a real source: values made up for a test.",
        "locator": "whole file",
        "url": None,
        "url_note": "Written by the test; not published anywhere.",
        "date_accessed": None,
        "date_accessed_note": "Written, not accessed.",
        "license": "Test data; no rights.",
        "transcription": "Written by the test.",
        "notes": "The values describe nothing.",
        "sha256": sha256(data),
        "source_id": source_id,
        "file": data.name,
        "indicators": INDICATORS,
    }
    if value_range:
        origin["value_min"], origin["value_max"] = value_range
    origin.update(changes)
    origin = {k: v for k, v in origin.items() if v is not DROP}
    with open(folder / f"{source_id}.meta.yml", "w", encoding="utf-8") as handle:
        yaml.safe_dump(origin, handle, sort_keys=False, allow_unicode=True)


def make_source(
    folder: Path,
    source_id: str,
    rows: list[dict],
    fmt: str = "csv",
    /,
    *,
    columns=None,
    types=None,
    value_range=(0, 100),
    **origin_changes,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = write_data(folder, source_id, rows, fmt, columns, types)
    write_origin(folder, source_id, data, value_range, **origin_changes)
    return data


def add_demo_sources(raw_dir: Path) -> None:
    folder = raw_dir / "indicators"
    make_source(folder, ID_CSV, CSV_ROWS, "csv")
    make_source(folder, ID_PARQUET, PARQUET_ROWS, "parquet", value_range=None)
    make_source(folder, ID_NO_RANK, NO_RANK_ROWS, "csv", columns=NO_RANK_COLUMNS)


def check_results(run: Run, source_id: str) -> dict[str, bool]:
    key = f"raw_indicators__{source_id}"
    return {
        e.check_name: e.passed
        for e in run.result.get_asset_check_evaluations()
        if e.asset_key.to_user_string() == key
    }


# --- a good source flows through -------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Run:
    """raw/ plus three hand-made sources (CSV with ranks, Parquet with ranks and Kosovo, CSV
    without rank columns) and a synthetic Parquet source of 50,000 rows, published once."""
    base = tmp_path_factory.mktemp("indicator_sources")
    raw_dir = copy_raw(base)
    add_demo_sources(raw_dir)
    write_source(raw_dir / "indicators", SYNTHETIC_ROWS, "synthetic")
    run = materialize(raw_dir, base)
    assert run.result.success, run.failed_checks()
    return run


def test_the_run_succeeds_and_each_source_passes_its_two_checks(baseline):
    assert baseline.layout.current_release() is not None
    materialized = {
        e.asset_key.to_user_string() for e in baseline.result.get_asset_materialization_events()
    }
    for source_id in (ID_CSV, ID_PARQUET, ID_NO_RANK):
        assert f"raw_indicators__{source_id}" in materialized
        assert check_results(baseline, source_id) == {CHECK_ORIGIN: True, CHECK_ROWS: True}
    assert "warehouse_release" in materialized


def test_each_source_is_an_asset_with_two_blocking_checks(baseline):
    checks: dict[str, set] = {}
    graph = build_definitions(baseline.raw_dir).resolve_asset_graph()
    for assets_def in graph.assets_defs:
        for spec in assets_def.check_specs:
            checks.setdefault(spec.asset_key.to_user_string(), set()).add(
                (spec.name, spec.blocking)
            )
    for source_id in (ID_CSV, ID_PARQUET, ID_NO_RANK):
        assert checks[f"raw_indicators__{source_id}"] == {(CHECK_ORIGIN, True), (CHECK_ROWS, True)}


def test_loading_the_definitions_finds_the_dropped_sources_without_code_change(
    baseline, monkeypatch
):
    """The real entry point (pipeline.definitions), imported before the sources were dropped
    (with the default raw/), loaded again with PIPELINE_RAW_DIR naming the copy: the settings
    are read when the definitions load, not when the module is imported."""
    monkeypatch.setenv("PIPELINE_RAW_DIR", str(baseline.raw_dir))
    graph = definitions.defs().resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    checks = {
        (c.asset_key.to_user_string(), c.name, c.blocking)
        for a in graph.assets_defs
        for c in a.check_specs
    }
    values = {k.to_user_string() for k in graph.get(dg.AssetKey(VALUES_ASSET)).parent_keys}
    for source_id in (ID_CSV, ID_PARQUET, ID_NO_RANK):
        key = f"raw_indicators__{source_id}"
        assert key in keys
        assert (key, CHECK_ORIGIN, True) in checks
        assert (key, CHECK_ROWS, True) in checks
        assert key in values


def expected_mart_rows(file: str, rows: list[dict]) -> list[tuple]:
    """marts.indicators' columns (MART_COLUMNS) for each data row of a source, in file order:
    a CSV's rows stand on lines 2, 3, ...; a Parquet file's are rows 1, 2, ..."""
    first = 2 if file.endswith(".csv") else 1
    return [
        (
            f"raw/indicators/{file}",
            n,
            r["country_iso3"],
            NAMES[r["country_iso3"]],
            r["year"],
            str(r["year"]),
            r["indicator_code"],
            INDICATORS[r["indicator_code"]]["name"],
            "global",
            r.get("rank"),
            r.get("n_ranked"),
            NO_RANK if r.get("rank") is None else None,
            r["value"],
        )
        for n, r in enumerate(rows, start=first)
    ]


MART_COLUMNS = (
    "source_locator, source_line, country_iso3, country_name, edition_year, "
    "edition_label, factor_code, factor_name, scope, rank, n_ranked, missing_reason, "
    "score"
)
SOURCES = [
    (ID_CSV, f"{ID_CSV}.csv", CSV_ROWS),
    (ID_PARQUET, f"{ID_PARQUET}.parquet", PARQUET_ROWS),
    (ID_NO_RANK, f"{ID_NO_RANK}.csv", NO_RANK_ROWS),
]


@pytest.mark.parametrize(("source_id", "file", "rows"), SOURCES, ids=[s[0] for s in SOURCES])
def test_marts_indicators_holds_every_row_of_the_source(baseline, source_id, file, rows):
    found = baseline.query(
        f"SELECT {MART_COLUMNS} FROM marts.indicators WHERE source_id = ? "  # noqa: S608
        "ORDER BY source_line",
        [source_id],
    )
    assert found == expected_mart_rows(file, rows)
    (paper_fields,) = baseline.query(
        "SELECT count(*) FILTER (paper_label IS NOT NULL OR cell_text IS NOT NULL "
        "OR verification IS NOT NULL OR paper_citation_key IS NOT NULL) "
        "FROM marts.indicators WHERE source_id = ?",
        [source_id],
    )
    assert paper_fields == (0,)


def test_a_source_without_rank_columns_has_no_ranks_and_says_why(baseline):
    found = baseline.query(
        "SELECT count(*), count(rank), count(n_ranked), count(*) FILTER (missing_reason = ?) "
        "FROM marts.indicators WHERE source_id = ?",
        [NO_RANK, ID_NO_RANK],
    )
    assert found == [(len(NO_RANK_ROWS), 0, 0, len(NO_RANK_ROWS))]


def test_the_origin_records_and_indicator_names_are_in_the_warehouse(baseline):
    files = baseline.query(
        "SELECT asset_key, path, sha256, license, status FROM raw.source_files "
        "WHERE kind = 'long_source' AND asset_key LIKE 'raw_indicators__hr_%' ORDER BY 1"
    )
    folder = baseline.raw_dir / "indicators"
    assert files == sorted(
        (
            f"raw_indicators__{source_id}",
            f"raw/indicators/{file}",
            sha256(folder / file),
            "Test data; no rights.",
            "loaded",
        )
        for source_id, file, _ in SOURCES
    )
    names = baseline.query(
        "SELECT DISTINCT indicator_code, indicator_name FROM raw.indicator_definitions "
        "WHERE source_id LIKE 'hr_%' ORDER BY 1"
    )
    assert names == sorted((code, d["name"]) for code, d in INDICATORS.items())


def test_the_parquet_export_includes_the_sources_rows(baseline):
    path = baseline.layout.root / "exports" / "indicators"  # one file per source
    ids = [s[0] for s in SOURCES]
    table = pq.read_table(path, filters=[("source_id", "in", ids)])
    exported = sorted(
        (
            r["source_id"],
            r["source_line"],
            r["country_iso3"],
            r["edition_year"],
            r["factor_code"],
            r["score"],
            r["rank"],
            r["missing_reason"],
        )
        for r in table.to_pylist()
    )
    in_mart = sorted(
        baseline.query(
            "SELECT source_id, source_line, country_iso3, edition_year, factor_code, score, rank, "
            "missing_reason FROM marts.indicators WHERE list_contains(?, source_id)",
            [ids],
        )
    )
    assert exported == in_mart
    assert len(exported) == sum(len(rows) for _, _, rows in SOURCES)


def test_the_reports_sources_section_lists_each_source(baseline):
    reports = baseline.layout.root / "reports"
    html = (reports / "summary.html").read_text(encoding="utf-8")
    section = re.search(r'<section id="sources">(.*?)</section>', html, re.S)
    assert section, "the report has a sources section"
    # Markdown escapes the underscores of names (hr\_demo): read it as text
    markdown = (reports / "summary.md").read_text(encoding="utf-8").replace("\\_", "_")
    md_section = markdown[markdown.index("## Sources") :]
    folder = baseline.raw_dir / "indicators"
    for source_id, file, _ in SOURCES:
        cells = [
            "indicator source",
            f"raw/indicators/{file}",
            sha256(folder / file)[:12],
            f"Hand-made test source {source_id}",
        ]
        row = r"<td[^>]*>" + r"</td><td[^>]*>".join(re.escape(c) for c in cells) + "</td>"
        assert re.search(row, section.group(1)), source_id
        assert f"| indicator source | raw/indicators/{file} |" in md_section


# --- a broken source is refused ------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    id: str
    change: Callable[[Path], object]  # breaks the source in raw/indicators (the folder given)
    check: str
    file: str
    column: str | None
    rule: str
    places: frozenset = frozenset({None})  # the lines (CSV, records) or rows (Parquet) named
    source_id: str = ID_CSV
    also_failing: frozenset = frozenset()  # other (asset, check) the fault fails, rightly


def _csv(rows, **kwargs):
    return lambda folder: make_source(folder, ID_CSV, rows, "csv", **kwargs)


def _parquet(rows, **kwargs):
    return lambda folder: make_source(
        folder, ID_PARQUET, rows, "parquet", value_range=None, **kwargs
    )


def _edit_without_checksum(source_id: str, fmt: str, rows: list[dict]):
    def change(folder: Path):
        write_data(folder, source_id, changed(rows, 4, value=50.5), fmt)  # origin left as is

    return change


def _year_as_text(year_of_row_5: str) -> list[dict]:
    return [dict(r, year=str(r["year"])) for r in changed(PARQUET_ROWS, 4, year=year_of_row_5)]


# Each fault breaks one thing in a good source; row faults are in data row 5 (line 6 of a CSV,
# row 5 of a Parquet file). A year '2022.5' or 2021.4 is not an integer either: it must be
# refused, not rounded to another year.
LINE6, ROW5, HEADER = frozenset({"6"}), frozenset({"5"}), frozenset({"1"})
REQUIRED_FIELD = "origin record field is present and not empty"
UNKNOWN = "a known country code (ISO 3166-1, XKX, or declared in the origin record)"
FAULTS = [
    Fault(
        "csv year 19x9",
        _csv(changed(CSV_ROWS, 4, year="19x9")),
        CHECK_ROWS,
        CSV_FILE,
        "year",
        "an integer",
        LINE6,
    ),
    Fault(
        "csv year 2022.5",
        _csv(changed(CSV_ROWS, 4, year="2022.5")),
        CHECK_ROWS,
        CSV_FILE,
        "year",
        "an integer",
        LINE6,
    ),
    Fault(
        "parquet text year 19x9",
        _parquet(_year_as_text("19x9"), types={"year": pa.string()}),
        CHECK_ROWS,
        PARQUET_FILE,
        "year",
        "an integer",
        ROW5,
        ID_PARQUET,
    ),
    Fault(
        "parquet double year 2021.4",
        _parquet(changed(PARQUET_ROWS, 4, year=2021.4), types={"year": pa.float64()}),
        CHECK_ROWS,
        PARQUET_FILE,
        "year",
        "an integer",
        ROW5,
        ID_PARQUET,
    ),
    Fault(
        "undeclared indicator",
        _csv(changed(CSV_ROWS, 4, indicator_code="hr.undeclared")),
        CHECK_ROWS,
        CSV_FILE,
        "indicator_code",
        "an indicator declared in the origin record",
        LINE6,
    ),
    Fault(
        "value above value_max",
        _csv(changed(CSV_ROWS, 4, value=100.5)),
        CHECK_ROWS,
        CSV_FILE,
        "value",
        "between value_min 0 and value_max 100",
        LINE6,
    ),
    Fault(
        "value below value_min",
        _csv(changed(CSV_ROWS, 4, value=-0.5)),
        CHECK_ROWS,
        CSV_FILE,
        "value",
        "between value_min 0 and value_max 100",
        LINE6,
    ),
    Fault(
        "unknown country ZZZ",
        _csv(changed(CSV_ROWS, 4, country_iso3="ZZZ")),
        CHECK_ROWS,
        CSV_FILE,
        "country_iso3",
        UNKNOWN,
        LINE6,
    ),
    Fault(
        "lowercase country",
        _csv(changed(CSV_ROWS, 4, country_iso3="kgz")),
        CHECK_ROWS,
        CSV_FILE,
        "country_iso3",
        "three capital letters (matches [A-Z]{3})",
        LINE6,
    ),
    # Row 5 repeats row 1's key (KAZ, 2021, hr.voice): either line may be named.
    Fault(
        "duplicate key",
        _csv(changed(CSV_ROWS, 4, country_iso3="KAZ")),
        CHECK_ROWS,
        CSV_FILE,
        "country_iso3, year, indicator_code",
        "key (country_iso3, year, indicator_code) is unique",
        frozenset({"2", "6"}),
    ),
    Fault(
        "rank above n_ranked",
        _csv(changed(CSV_ROWS, 4, rank=3)),
        CHECK_ROWS,
        CSV_FILE,
        "rank",
        "rank <= n_ranked",
        LINE6,
    ),
    Fault(
        "rank 0",
        _csv(changed(CSV_ROWS, 4, rank=0)),
        CHECK_ROWS,
        CSV_FILE,
        "rank",
        "at least 1",
        LINE6,
    ),
    Fault(
        "csv without value column",
        _csv(CSV_ROWS, columns=[c for c in COLUMNS if c != "value"]),
        CHECK_ROWS,
        CSV_FILE,
        "value",
        "column required by the spec is present",
        HEADER,
    ),
    Fault(
        "parquet without value column",
        _parquet(PARQUET_ROWS, columns=[c for c in COLUMNS if c != "value"]),
        CHECK_ROWS,
        PARQUET_FILE,
        "value",
        "column required by the spec is present",
        source_id=ID_PARQUET,
    ),
    Fault(
        "csv extra column",
        _csv([dict(r, comment="x") for r in CSV_ROWS]),
        CHECK_ROWS,
        CSV_FILE,
        "comment",
        "column is in the spec (unexpected or renamed",
        HEADER,
    ),
    Fault(
        "parquet extra column",
        _parquet([dict(r, comment="x") for r in PARQUET_ROWS]),
        CHECK_ROWS,
        PARQUET_FILE,
        "comment",
        "column is in the spec (unexpected or renamed",
        source_id=ID_PARQUET,
    ),
    Fault(
        "csv edited, sha256 not updated",
        _edit_without_checksum(ID_CSV, "csv", CSV_ROWS),
        CHECK_ORIGIN,
        CSV_ORIGIN,
        "sha256",
        "sha256 in the origin record matches",
        frozenset({"12"}),
    ),
    Fault(
        "parquet edited, sha256 not updated",
        _edit_without_checksum(ID_PARQUET, "parquet", PARQUET_ROWS),
        CHECK_ORIGIN,
        PARQUET_ORIGIN,
        "sha256",
        "sha256 in the origin record matches",
        frozenset({"12"}),
        ID_PARQUET,
    ),
    Fault(
        "origin without indicators",
        _csv(CSV_ROWS, indicators=DROP),
        CHECK_ORIGIN,
        CSV_ORIGIN,
        "indicators",
        REQUIRED_FIELD,
    ),
    Fault(
        "origin without license",
        _csv(CSV_ROWS, license=DROP),
        CHECK_ORIGIN,
        CSV_ORIGIN,
        "license",
        REQUIRED_FIELD,
    ),
    Fault(
        "origin with a misspelt field",
        _csv(CSV_ROWS, licence="x"),
        CHECK_ORIGIN,
        CSV_ORIGIN,
        "licence",
        "a field of the origin record model (unknown or misspelt field)",
        frozenset({"24"}),
    ),
    Fault(
        "origin source_id differs from the file name",
        _csv(CSV_ROWS, source_id="hr_other"),
        CHECK_ORIGIN,
        CSV_ORIGIN,
        "source_id",
        "source_id equals the record's file name",
        frozenset({"13"}),
    ),
    Fault(
        "origin names a file that does not exist",
        _csv(CSV_ROWS, file="hr_missing.csv"),
        CHECK_ROWS,
        "raw/indicators/hr_missing.csv",
        None,
        "a readable regular file inside the project",
        # The data file the record no longer names is then undeclared, and refused by name too.
        also_failing=frozenset({("raw_inventory", "every_file_is_declared")}),
    ),
    Fault(
        "origin names a path, not a file beside it",
        _csv(CSV_ROWS, file="../paper/x.csv"),
        CHECK_ORIGIN,
        CSV_ORIGIN,
        "file",
        "a file name beside the record",
        frozenset({"14"}),
        also_failing=frozenset({("raw_inventory", "every_file_is_declared")}),
    ),
]


def place(problem) -> str | None:
    return str(problem.line) if problem.line is not None else problem.row


@pytest.mark.parametrize("fault", FAULTS, ids=[f.id for f in FAULTS])
def test_a_broken_source_is_refused_naming_file_line_column_rule(fault, tmp_path):
    raw_dir = copy_raw(tmp_path)
    folder = raw_dir / "indicators"
    add_demo_sources(raw_dir)
    fault.change(folder)
    tables = [RAW_BY_NAME["iso3166_countries"], RAW_BY_NAME["countries"]]
    steps = run_steps(raw_dir, tmp_path, models=False, tables=tables, fetch=())
    outcome = next(o for o in steps.outcomes if o.asset_key == f"raw_indicators__{fault.source_id}")
    found = outcome.checks[fault.check]
    hits = [
        p
        for p in found
        if (p.file, p.column) == (fault.file, fault.column)
        and p.rule.startswith(fault.rule)
        and place(p) in fault.places
    ]
    assert hits, f"{fault.id}: expected {fault} among {[p.message() for p in found]}"
    others = set(steps.failed()) - {(outcome.asset_key, fault.check)} - fault.also_failing
    assert others <= {(outcome.asset_key, CHECK_ORIGIN)}, steps.failed()


def test_unknown_country_codes_are_listed_once_each_with_count_and_lines(tmp_path):
    raw_dir = copy_raw(tmp_path)
    rows = [dict(r, country_iso3="DDR") if i % 2 else r for i, r in enumerate(CSV_ROWS)]
    rows[-1]["country_iso3"] = "YMD"
    make_source(raw_dir / "indicators", ID_CSV, rows, "csv")
    tables = [RAW_BY_NAME["iso3166_countries"], RAW_BY_NAME["countries"]]
    steps = run_steps(raw_dir, tmp_path, models=False, tables=tables, fetch=())
    messages = steps.failed()[(f"raw_indicators__{ID_CSV}", CHECK_ROWS)].splitlines()
    unknown = [m for m in messages if "known country code" in m]
    assert len(unknown) == 2, messages
    assert "(value: 'DDR: 5 rows, lines 3-11')" in unknown[0]
    assert "(value: 'YMD: 1 rows, lines 13-13')" in unknown[1]


# --- a large source -------------------------------------------------------------------------


def test_a_large_parquet_source_flows_through_in_file_order_and_the_report_stays_small(baseline):
    found = baseline.query(
        "SELECT count(*), count(DISTINCT source_line), min(source_line), max(source_line), "
        "count(DISTINCT country_iso3), count(DISTINCT edition_year), count(DISTINCT factor_code), "
        "count(*) FILTER (missing_reason = ?) FROM marts.indicators WHERE source_id = ?",
        [NO_RANK, "synthetic"],
    )
    countries, years, indicators = shape_for(SYNTHETIC_ROWS)
    rows = SYNTHETIC_ROWS
    assert found == [(rows, rows, 1, rows, countries, years, indicators, rows)]
    # Rows keep their place in the file (the generator writes country, year, indicator order).
    ends = baseline.query(
        "SELECT source_line, edition_year, factor_code FROM marts.indicators "
        "WHERE source_id = ? AND source_line IN (1, ?, ?, ?) ORDER BY source_line",
        ["synthetic", indicators, indicators + 1, rows],
    )
    last_year, last_code = YEARS_START + years - 1, f"ind_{indicators - 1:03d}"
    assert ends == [
        (1, YEARS_START, "ind_000"),
        (indicators, YEARS_START, last_code),
        (indicators + 1, YEARS_START + 1, "ind_000"),
        (rows, last_year, last_code),
    ]
    export = baseline.layout.root / "exports" / "indicators" / "synthetic.parquet"
    exported = pq.read_table(export, columns=["source_id"])
    assert set(exported["source_id"].to_pylist()) == {"synthetic"}
    assert exported.num_rows == SYNTHETIC_ROWS
    # The report shows the source in its sources table and never loads its rows.
    html = (baseline.layout.root / "reports" / "summary.html").read_bytes()
    assert len(html) < 1_000_000
    assert len(re.findall(rb"<td[^>]*>raw/indicators/synthetic\.parquet</td>", html)) == 1
    assert b"ind_0" not in html and b"Synthetic indicator" not in html
