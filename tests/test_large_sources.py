"""The data path shaped for scale keeps the project's promises: a fault deep inside a large CSV
or Parquet source is still named by file, line (or row), column, rule and value though the file
is read by the one-pass fast path; a record spanning lines keeps every later line right; the
export of a mart is in key order with a large source written as stored, byte for byte the same
on a rewrite, and sorted after all when the source's order is not key order; marts.indicators is
a view over the sources' typed tables; a download is parsed once per (sha256, code version).

Real parts: files written here (the benchmark's seeded generator), DuckDB, Parquet, the sources
step on an in-memory DuckDB.
"""

from __future__ import annotations

import shutil

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.synthetic_source import YEARS_START, iso_codes, shape_for, write_source
from pipeline.schemas.raw import RAW_BY_NAME
from pipeline.schemas.spec import INT, STRING, Field, TableSpec, qualified
from pipeline.settings import MODELS_DIR
from pipeline.transforms.models.discover import discover
from pipeline.transforms.publish.export import in_key_order, write_export
from pipeline.transforms.sources import download_sources
from pipeline.transforms.sources.read_all import CHECK_ROWS
from pipeline.transforms.validation import key_parts, key_problems
from tests.harness import copy_raw, memory_db, pin_snapshot, rechecksum, run_steps
from tests.wjp_server import serve

ROWS = 50_000  # 200 countries x 125 years x 2 indicators, country-major
# A data line far from the start (the header is line 1): past the rows DuckDB's CSV sniffer
# samples (20,480 by default) and many vectors (2,048 rows) in.
DEEP = 40_001
COUNTRIES, YEARS, INDICATORS = shape_for(ROWS)


def generated(index: int) -> tuple[str, int, str]:
    """(country, year, indicator) of the generator's row `index` (0-based, country-major)."""
    country = iso_codes(COUNTRIES)[index // (YEARS * INDICATORS)]
    year = YEARS_START + index // INDICATORS % YEARS
    return country, year, f"ind_{index % INDICATORS:03d}"


REFERENCES = [RAW_BY_NAME["iso3166_countries"], RAW_BY_NAME["countries"]]


def large_source(tmp_path, fmt: str):
    raw_dir = copy_raw(tmp_path)
    data = write_source(raw_dir / "indicators", ROWS, "big", as_csv=fmt == "csv")
    return raw_dir, data


def replace_line(path, number: int, change) -> str:
    """Rewrite one physical line of a text file; returns the line as it was."""
    lines = path.read_text(encoding="utf-8").split("\n")
    before = lines[number - 1]
    lines[number - 1] = change(before)
    path.write_text("\n".join(lines), encoding="utf-8")
    rechecksum(path)
    return before


def row_problems(raw_dir, tmp_path) -> list:
    steps = run_steps(raw_dir, tmp_path, models=False, tables=REFERENCES, threads=None, fetch=())
    outcome = next(o for o in steps.outcomes if o.asset_key == "raw_indicators__big")
    return outcome.checks[CHECK_ROWS]


@pytest.mark.parametrize(
    ("column", "value", "rule"),
    [("year", "2022.5", "an integer"), ("value", "1e400x", "a number")],
)
def test_a_mistyped_cell_deep_in_a_large_csv_is_named_by_line_column_and_value(
    tmp_path, column, value, rule
):
    raw_dir, data = large_source(tmp_path, "csv")
    index = ["country_iso3", "year", "indicator_code", "value"].index(column)

    def mistype(line: str) -> str:
        cells = line.split(",")
        cells[index] = value
        return ",".join(cells)

    replace_line(data, DEEP, mistype)
    (problem,) = [p for p in row_problems(raw_dir, tmp_path) if p.column == column]
    assert (problem.file, problem.line, problem.value) == ("raw/indicators/big.csv", DEEP, value)
    assert problem.rule.startswith(rule)


def test_a_malformed_record_deep_in_a_large_csv_is_named_by_its_line(tmp_path):
    raw_dir, data = large_source(tmp_path, "csv")
    replace_line(data, DEEP, lambda line: line + ",extra")
    problems = row_problems(raw_dir, tmp_path)
    assert [(p.file, p.line) for p in problems] == [("raw/indicators/big.csv", DEEP)]
    assert problems[0].rule.startswith("well-formed CSV")


def test_a_record_spanning_lines_in_a_large_csv_keeps_every_later_line_right(tmp_path):
    raw_dir, data = large_source(tmp_path, "csv")
    # A quoted field spans two lines (the country check refuses the value; the lines are what
    # matters here): the fast read sees fewer records than lines, and the diagnosing read
    # numbers each record by the physical line it starts on.
    replace_line(data, 3, lambda line: '"AB\nW"' + line[3:])
    steps = run_steps(raw_dir, tmp_path, models=False, tables=REFERENCES, threads=None, fetch=())
    lines = steps.query(
        "SELECT line, country_iso3, year, indicator_code FROM raw.indicator_source__big "
        "WHERE line IN (2, 3, 5, ?) ORDER BY line",
        [ROWS + 2],
    )
    # Records 0 and 1 start on lines 2 and 3; record 1 also takes line 4.
    assert lines == [
        (2, *generated(0)),
        (3, "AB\nW", *generated(1)[1:]),
        (5, *generated(2)),
        (ROWS + 2, *generated(ROWS - 1)),
    ]


def test_a_text_column_of_a_large_parquet_source_is_checked_cell_by_cell(tmp_path):
    raw_dir, data = large_source(tmp_path, "parquet")
    table = pq.read_table(data)
    years = table.column("year").cast(pa.string()).to_pylist()
    years[DEEP - 1] = "2022.5"
    table = table.set_column(1, "year", pa.array(years, pa.string()))
    pq.write_table(table, data)
    rechecksum(data)
    (problem,) = row_problems(raw_dir, tmp_path)
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "raw/indicators/big.parquet",
        str(DEEP),
        "year",
        "2022.5",
    )
    assert problem.message().startswith(f"raw/indicators/big.parquet, row {DEEP}, column 'year'")


def test_a_typed_large_parquet_source_is_read_once_with_its_rows_in_file_order(tmp_path):
    raw_dir, _ = large_source(tmp_path, "parquet")
    steps = run_steps(raw_dir, tmp_path, models=False, tables=REFERENCES, threads=None, fetch=())
    assert not steps.failed()
    assert steps.query(
        "SELECT count(*), min(line), max(line), count(*) FILTER (line <> rowid + 1) "
        "FROM raw.indicator_source__big"
    ) == [(ROWS, 1, ROWS, 0)]


# --- exports in key order without a global sort -------------------------------------------------

KEYED = TableSpec(
    name="keyed",
    description="Rows of a few sources, keyed by source first.",
    fields=(
        Field("source_id", STRING, "Source."),
        Field("item", INT, "Item within the source."),
        Field("note", STRING, "Free text.", True),
    ),
    primary_key=("source_id", "item"),
)


LARGE_ROWS = {  # the large source's rows, stored in key order or not
    True: "INSERT INTO keyed SELECT 'm_large', i, 'row ' || i FROM range(5000) t(i) ORDER BY i",
    False: "INSERT INTO keyed SELECT 'm_large', i, 'row ' || i FROM range(5000) t(i) "
    "ORDER BY hash(i)",
}
ALL_IN_KEY_ORDER = "SELECT * FROM keyed ORDER BY source_id, item"


def keyed_table(con, large_in_key_order: bool) -> str:
    """Two small sources stored in scrambled order, and one large one."""
    con.execute(
        "CREATE TABLE keyed AS SELECT * FROM ("
        "SELECT 'b_small' AS source_id, i AS item, 'x' AS note FROM range(50) t(i) "
        "UNION ALL SELECT 'z_small', 49 - i, NULL FROM range(50) t(i)) ORDER BY hash(item)"
    )
    con.execute(LARGE_ROWS[large_in_key_order])
    return qualified("main", "keyed")


def test_a_large_part_stored_in_key_order_is_written_as_stored_and_the_bytes_repeat(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        relation = keyed_table(con, True)
        (rows,) = con.execute("SELECT count(*) FROM keyed").fetchone()
        written = [
            write_export(con, relation, KEYED, tmp_path / f"{n}.parquet", {}, large=1000)
            for n in "ab"
        ]
        assert written == [rows, rows]
        assert in_key_order(con, tmp_path / "a.parquet", KEYED)
        expected = con.execute(ALL_IN_KEY_ORDER).fetchall()
    assert pq.read_table(tmp_path / "a.parquet").to_pylist() == [
        dict(zip(KEYED.column_names, row, strict=True)) for row in expected
    ]
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_a_large_part_not_in_key_order_is_sorted_after_all(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        relation = keyed_table(con, False)
        (rows,) = con.execute("SELECT count(*) FROM keyed").fetchone()
        assert write_export(con, relation, KEYED, tmp_path / "k.parquet", {}, large=1000) == rows
        assert in_key_order(con, tmp_path / "k.parquet", KEYED)
        expected = con.execute(ALL_IN_KEY_ORDER).fetchall()
    assert [tuple(r.values()) for r in pq.read_table(tmp_path / "k.parquet").to_pylist()] == (
        expected
    )


def test_key_clashes_are_found_inside_a_large_part_and_among_the_others(tmp_path):
    with memory_db(threads=None) as con:
        relation = keyed_table(con, True)
        con.execute("INSERT INTO keyed VALUES ('m_large', 4321, 'again'), ('b_small', 7, 'again')")
        parts = key_parts(con, relation, KEYED.primary_key, large=1000)
        sizes = [con.execute(f"SELECT count(*) FROM {p}").fetchone()[0] for p in parts]  # noqa: S608
        (total,) = con.execute(f"SELECT count(*) FROM {relation}").fetchone()  # noqa: S608
        assert sum(sizes) == total, "every row is in one part"
        (largest,) = con.execute(
            f"SELECT max(n) FROM (SELECT count(*) AS n FROM {relation} GROUP BY source_id)"  # noqa: S608
        ).fetchone()
        assert largest > 1000 and max(sizes) == largest  # the large source is a part of its own
        assert all(size <= 1000 for size in sizes if size != largest)
        found = [p.value for p in key_problems(con, KEYED, relation, "t", large=1000)]
    assert sorted(found) == ["b_small, 7 (2 rows)", "m_large, 4321 (2 rows)"]


def test_many_small_sources_are_checked_in_parts_of_bounded_size(tmp_path):
    """100 sources of 30 rows (the bench's many_sources shape, scaled down): parts of at most
    `large` rows, each source whole in one part, and a clash inside any source is found."""
    with memory_db(threads=None) as con:
        con.execute(
            "CREATE TABLE keyed AS SELECT 's' || lpad(CAST(s AS VARCHAR), 3, '0') AS source_id, "
            "i AS item, CAST(NULL AS VARCHAR) AS note FROM range(100) a(s), range(30) b(i)"
        )
        con.execute("INSERT INTO keyed VALUES ('s042', 7, 'again'), ('s099', 29, 'again')")
        relation = qualified("main", "keyed")
        parts = key_parts(con, relation, KEYED.primary_key, large=1000)
        sizes = [con.execute(f"SELECT count(*) FROM {p}").fetchone()[0] for p in parts]  # noqa: S608
        assert sum(sizes) == 3002 and max(sizes) <= 1000 and len(parts) > 3
        found = [p.value for p in key_problems(con, KEYED, relation, "t", large=1000)]
    assert sorted(found) == ["s042, 7 (2 rows)", "s099, 29 (2 rows)"]


# --- marts over long-format sources are views ---------------------------------------------------


def test_a_mart_reading_a_staging_view_is_a_view_unless_its_spec_says_table(tmp_path):
    models = {m.relation: m for m in discover(MODELS_DIR)}
    assert models["staging.stg_sources__indicators"].materialized == "view"
    assert models["marts.indicators"].materialized == "view"
    assert models["marts.paper_claims"].materialized == "table"  # reads the mart, not staging
    copied = tmp_path / "models"
    shutil.copytree(MODELS_DIR, copied)
    spec = copied / "marts" / "indicators.yml"
    spec.write_text(spec.read_text(encoding="utf-8") + "materialized: table\n", encoding="utf-8")
    assert {m.relation: m for m in discover(copied)}["marts.indicators"].materialized == "table"


# --- a download is parsed once per (sha256, code version) -----------------------------------------


def test_a_download_is_parsed_once_into_typed_tables_that_later_refreshes_load(tmp_path, wjp_file):
    raw_dir = copy_raw(tmp_path)
    pin_snapshot(raw_dir, wjp_file)
    cache = tmp_path / "cache"
    with serve({"/roli.json": (200, wjp_file, {})}) as base:
        first = download_sources.fetch(
            memory_db(), download_sources.WJP, raw_dir, cache, 5, None, f"{base}/roli.json"
        )
    (parsed,) = (cache / download_sources.PARSED / "wjp").iterdir()
    sha256 = first.record.record.sha256
    assert parsed.name.startswith(f"{sha256}-")
    assert sorted(p.name for p in parsed.iterdir()) == sorted(
        [download_sources.PARSED_CHECKSUMS]
        + [f"{spec.name}.parquet" for spec in download_sources.WJP.tables]
    )
    con = memory_db()
    again = download_sources.fetch(
        con, download_sources.WJP, raw_dir, cache, 5, None, "http://127.0.0.1:9/offline"
    )
    assert (again.status, again.obtained_from, again.rows) == ("available", "cache", first.rows)
    assert con.execute("SELECT count(*) FROM raw.wjp_scores").fetchall()[0][0] > 0
