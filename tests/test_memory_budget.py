"""Every step over marts.indicators stays within DuckDB's memory limit whatever the shape of the
data, and a budget that is truly too small is refused in the project's words:

- the key ranges that bound a sort or a join partition every key exactly once, in key order,
  with at most the bound's rows each, and also hold the keys of another relation;
- an export writes a part per large source as stored and the rest in bounded sorted ranges, and
  a large part not in key order is written again range by range, in key order;
- the comparison with the previous release counts the same rows added, removed and changed
  whether it joins the whole mart or one range at a time;
- a refresh that runs out of memory names the step, the limit it hit and
  PIPELINE_DUCKDB_MEMORY_LIMIT, and leaves no build folder; a failed build above the size kept
  for inspection is removed, a small one is kept.

Real parts: DuckDB, Parquet files, the generator of the bench, refreshes through build.refresh.
"""

# ruff: noqa: S608 (SQL of constants and generated names)
from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
import pytest

from benchmarks.synthetic_source import layout, write_sources
from pipeline import build, disk, lineage
from pipeline.asset_versions import asset_versions
from pipeline.settings import MODELS_DIR, Settings
from pipeline.transforms.key_ranges import key_ranges
from pipeline.transforms.models import changes
from pipeline.transforms.models.discover import discover
from pipeline.transforms.publish.export import export_parts, in_key_order, write_export
from tests.harness import copy_raw, rechecksum
from tests.test_large_sources import KEYED


def mixed_table(con) -> None:
    """A table keyed (a, b, c): small groups, one large group, and NULLs in two key columns."""
    con.execute(
        "CREATE TABLE t AS SELECT 'src_' || (i % 7) AS a, (i * 7919) % 1000 AS b, i AS c "
        "FROM range(20000) r(i)"
    )
    con.execute("INSERT INTO t SELECT 'big', i % 50, i FROM range(30000) r(i)")
    con.execute("INSERT INTO t VALUES (NULL, 1, 1), ('zz', NULL, 2)")


@pytest.mark.parametrize("cover_all", [False, True])
def test_key_ranges_hold_every_row_once_in_key_order_and_within_the_bound(cover_all):
    con = duckdb.connect()
    mixed_table(con)
    ranges = key_ranges(con, "t", ["a", "b", "c"], 3000, cover_all=cover_all)
    rows, total = [], con.execute("SELECT count(*) FROM t").fetchall()[0][0]
    for found in ranges:
        part = con.execute(f"SELECT * FROM t WHERE {found.where} ORDER BY a, b, c").fetchall()
        assert len(part) == found.rows <= 3000
        rows += part
    assert len(rows) == total
    assert rows == con.execute("SELECT * FROM t ORDER BY a, b, c").fetchall()
    assert any(found.where.startswith('"a" = \'big\' AND "b"') for found in ranges), "cut deeper"


def test_key_ranges_covering_all_keys_hold_another_relations_keys_too():
    con = duckdb.connect()
    mixed_table(con)
    con.execute(
        "CREATE TABLE other AS SELECT * FROM (VALUES ('aaa', 5, 1), ('src_3x', 2000, 1), "
        "('zzz', 1, 1), ('big', 100, 5), ('big', -1, 5), (NULL, NULL, NULL)) v(a, b, c)"
    )
    ranges = key_ranges(con, "t", ["a", "b", "c"], 3000)
    held = " + ".join(f"CASE WHEN {r.where} THEN 1 ELSE 0 END" for r in ranges)
    assert con.execute(f"SELECT DISTINCT {held} FROM other").fetchall() == [(1,)]


def many_small_sources(con, sources: int, rows: int, in_key_order: bool = True) -> str:
    order = "i" if in_key_order else "hash(i)"
    con.execute("CREATE TABLE keyed (source_id VARCHAR, item INTEGER, note VARCHAR)")
    for n in range(sources):
        con.execute(
            f"INSERT INTO keyed SELECT 's_{n:02d}', i, 'row ' || i FROM range({rows}) t(i) "
            f"ORDER BY {order}"
        )
    return "keyed"


def test_an_export_sorts_small_sources_in_bounded_ranges_not_all_at_once(tmp_path):
    """Twelve sources below the large part's size: sorted a few at a time (the many-sources
    shape sorted every source's rows in one ORDER BY before)."""
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        relation = many_small_sources(con, 12, 400)
        parts = export_parts(con, relation, KEYED, large=1000)
        sizes = [con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0] for sql, _ in parts]
        assert all(is_sorted for _, is_sorted in parts)
        assert max(sizes) < 1000 and sum(sizes) == 12 * 400 and len(parts) >= 12 * 400 // 1000
        path = tmp_path / "k.parquet"
        assert write_export(con, relation, KEYED, path, {}, large=1000) == 12 * 400
        assert in_key_order(con, path, KEYED)


def test_a_large_part_not_in_key_order_is_rewritten_range_by_range_in_key_order(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        relation = many_small_sources(con, 1, 5000, in_key_order=False)
        (stored,) = export_parts(con, relation, KEYED, large=1000)
        assert stored[1] is False, "the large source is written as stored first"
        path = tmp_path / "k.parquet"
        assert write_export(con, relation, KEYED, path, {}, large=1000) == 5000
        assert in_key_order(con, path, KEYED)
        expected = con.execute("SELECT * FROM keyed ORDER BY source_id, item").fetchall()
    assert [tuple(r.values()) for r in pq.read_table(path).to_pylist()] == expected


def test_release_changes_count_the_same_range_by_range(tmp_path, monkeypatch):
    indicators = next(m for m in discover(MODELS_DIR) if m.name == "indicators")
    given = {  # 12,000 distinct keys: i = 6000 factor + 120 year + 3 country + source
        "source_id": "'s_' || (i % 3)",
        "country_iso3": "'C' || (i // 3 % 40)",
        "edition_year": "1900 + i // 120 % 50",
        "factor_code": "'f' || (i // 6000)",
        "scope": "'global'",
        "score": "i",
    }
    columns = ", ".join(
        f"CAST({given.get(f.name, 'NULL')} AS {f.duckdb_type}) AS {f.name}"
        for f in indicators.spec.fields
    )
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute(f"CREATE TABLE old AS SELECT {columns} FROM range(12000) t(i)")
    previous = tmp_path / "previous"
    (previous / "exports").mkdir(parents=True)
    con.execute(f"COPY old TO '{previous}/exports/indicators.parquet'")
    # Now: 500 rows gone, 300 changed, 200 new.
    con.execute("CREATE SCHEMA marts")
    con.execute("CREATE TABLE marts.indicators AS SELECT * FROM old WHERE score >= 500")
    con.execute("UPDATE marts.indicators SET score = -score WHERE score BETWEEN 1000 AND 1299")
    con.execute(
        "INSERT INTO marts.indicators SELECT * REPLACE ('new' AS source_id) FROM old "
        "WHERE score < 200"
    )
    whole = changes._compare(con, indicators, previous, "p")
    monkeypatch.setattr(changes, "RANGE_ROWS", 700)
    assert len(key_ranges(con, "marts.indicators", indicators.spec.primary_key, 700)) > 20
    ranged = changes._compare(con, indicators, previous, "p")
    assert ranged == whole
    assert (whole["rows_added"], whole["rows_removed"], whole["rows_changed"]) == (200, 500, 300)


# --- refusals in the project's words --------------------------------------------------------


def refresh(raw_dir, tmp_path, memory_limit: str = "1GB", run_id: str = "run-1"):
    settings = Settings.resolve(
        raw_dir, tmp_path / "warehouse", tmp_path / "cache", memory_limit=memory_limit, environ={}
    )
    graph = lineage.build_graph(raw_dir, MODELS_DIR)
    said: list[str] = []
    request = build.Request(run_id, models_dir=MODELS_DIR)
    return build.refresh(settings, graph, asset_versions(graph), request, said.append), said


def test_a_refresh_out_of_memory_names_step_limit_and_setting_and_leaves_no_build(tmp_path):
    raw_dir = copy_raw(tmp_path)
    write_sources(raw_dir / "indicators", layout("wide", 100_000), "wide")
    result, said = refresh(raw_dir, tmp_path, memory_limit="64MB")
    assert not result.published
    (line,) = result.refused
    assert line.startswith("DuckDB ran out of memory in the ")
    assert " step: it needed more than its limit of 64MB (" in line
    assert (
        "raise PIPELINE_DUCKDB_MEMORY_LIMIT (now 64MB), e.g. PIPELINE_DUCKDB_MEMORY_LIMIT=" in line
    )
    assert "SET" not in line and "\n" not in line
    assert [s for s in said if "the failed build" in s] == [
        s for s in said if s.endswith("was removed: it ran out of memory or disk")
    ]
    builds = tmp_path / "warehouse" / "builds"
    assert not builds.is_dir() or list(builds.iterdir()) == []


@pytest.mark.parametrize("kept_bytes", [10**12, 0])
def test_a_failed_build_is_kept_for_inspection_only_when_small(tmp_path, monkeypatch, kept_bytes):
    """Bad data refuses the refresh; its build stays unless it is above the size kept."""
    raw_dir = copy_raw(tmp_path)
    (data,) = write_sources(raw_dir / "indicators", layout("wide", 20_000), "wide", as_csv=True)
    lines = data.read_text(encoding="utf-8").split("\n")
    lines[5] = lines[5].replace(",ind_", ",IND_", 1)  # not a declared indicator, not a code
    data.write_text("\n".join(lines), encoding="utf-8")
    rechecksum(data)
    monkeypatch.setattr(disk, "KEPT_BUILD_BYTES", kept_bytes)
    result, said = refresh(raw_dir, tmp_path)
    assert not result.published and result.refused
    builds = sorted((tmp_path / "warehouse" / "builds").iterdir())
    if kept_bytes:
        assert [b.name for b in builds] == ["run-1"]
        assert not any("the failed build" in s for s in said)
    else:
        assert builds == []
        assert any(s.endswith("are not kept") and "the failed build (" in s for s in said)
