"""The build-and-publish layout (pipeline/release.py), the Parquet writer and the DuckDB
helpers, on tiny inputs in tmp_path."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import duckdb
import pandas as pd
import pyarrow
import pyarrow.parquet as pq
import pytest

from pipeline.release import (
    DB_NAME,
    WarehouseLayout,
    prune_failed_builds,
    publish,
    start_build,
)
from pipeline.schemas import rules as r
from pipeline.schemas.spec import (
    BOOL,
    DATE,
    DECIMAL,
    INT,
    LIST,
    STRING,
    Field,
    TableSpec,
    qualified,
)
from pipeline.transforms import duck
from pipeline.transforms.duck import ordered_select
from pipeline.transforms.publish.export import copy_parquet, read_back_problems
from pipeline.transforms.publish.release_state import shrinking_sources
from tests.harness import memory_db

TINY = TableSpec(
    name="tiny",
    description="A tiny table for tests.",
    fields=(
        Field("id", INT, "Key.", rules=(r.positive(),)),
        Field("name", STRING, "A name.", rules=r.text(20)),
        Field("amount", DECIMAL, "An amount.", True),
        Field("day", DATE, "A day.", True),
        Field("tags", LIST, "Tags."),
        Field("flag", BOOL, "A flag.", True),
    ),
    primary_key=("id",),
)


def tiny_frame(**overrides) -> pd.DataFrame:
    columns = {
        "id": pd.Series([2, 1], dtype="Int64"),
        "name": ["b", "a"],
        "amount": ["1.50", None],
        "day": ["2022-02-01", None],
        "tags": [["x", "y"], []],
        "flag": pd.Series([True, None], dtype="boolean"),
    }
    columns.update(overrides)
    return pd.DataFrame(columns)


# --- Parquet export --------------------------------------------------------------------------


def tiny_arrow(**overrides) -> pyarrow.Table:
    columns = {
        "tags": [["x", "y"], []],  # out of order on purpose: the spec fixes the order
        "id": [1, 2],
        "name": ["a", "b"],
        "amount": [Decimal("1.50"), None],
        "day": [dt.date(2022, 2, 1), None],
        "flag": [True, None],
    }
    columns.update(overrides)
    return pyarrow.table(columns)


def tiny_table(con, **overrides) -> str:
    """TINY's rows in a DuckDB table typed by the spec, as the marts are."""
    duck.load_frame(con, "marts", TINY, tiny_arrow(**overrides).to_pandas())
    return ordered_select(qualified("marts", "tiny"), TINY)


def test_copy_parquet_uses_the_spec_schema_and_metadata(tmp_path):
    path = tmp_path / "tiny.parquet"
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert copy_parquet(con, tiny_table(con), TINY, path, {"run": "abc"}) == 2
    written = pq.read_schema(path)
    expected = TINY.arrow_schema()
    assert [(f.name, f.type) for f in written] == [(f.name, f.type) for f in expected]
    assert written.field("name").metadata[b"description"] == b"A name."
    assert written.metadata[b"provenance"] == b'{"run": "abc"}'
    assert written.metadata[b"table"] == b"marts.tiny"
    assert pq.read_table(path).column("amount").to_pylist() == [Decimal("1.50"), None]
    assert read_back_problems(path, TINY, 2) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.parquet", "w.duckdb"]


def test_copy_parquet_is_byte_identical_on_rewrite(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        select = tiny_table(con)
        copy_parquet(con, select, TINY, tmp_path / "a.parquet", {"run": "abc"})
        copy_parquet(con, select, TINY, tmp_path / "b.parquet", {"run": "abc"})
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_read_back_refuses_a_file_whose_types_or_rows_differ_from_the_spec(tmp_path):
    path = tmp_path / "drift.parquet"
    with memory_db() as con:
        con.execute(f"COPY (SELECT 'one' AS id, 'a' AS name) TO '{path}' (FORMAT parquet)")
    problems = read_back_problems(path, TINY, 2)
    assert any("schema differs" in p for p in problems)
    assert any("1 rows" in p for p in problems)


# --- release ---------------------------------------------------------------------------------


def finished_build(layout: WarehouseLayout, run_id: str):
    build = start_build(layout, run_id)
    build.db_path.write_bytes(run_id.encode())
    (build.exports_dir / "tiny.parquet").write_bytes(b"parquet of " + run_id.encode())
    (build.reports_dir / "summary.md").write_text(f"report of {run_id}\n")
    return build


def test_start_build_is_empty_and_private(tmp_path):
    layout = WarehouseLayout(tmp_path / "wh")
    build = start_build(layout, "run-1")
    (build.exports_dir / "stale").write_text("x")
    build = start_build(layout, "run-1")
    assert build.directory == layout.builds_dir / "run-1"
    assert sorted(p.name for p in build.directory.iterdir()) == [
        ".running.lock",
        "exports",
        "reports",
    ]
    assert list(build.exports_dir.iterdir()) == []
    assert layout.current_release() is None


def test_publish_points_current_and_public_links_at_the_release(tmp_path):
    layout = WarehouseLayout(tmp_path / "wh")
    release = publish(layout, finished_build(layout, "run-1"), {"run_id": "run-1"}, keep=2)
    assert release.parent == layout.releases_dir
    assert layout.current_release() == release.resolve()
    assert not (layout.builds_dir / "run-1").exists()
    assert layout.published_db.read_bytes() == b"run-1"
    assert (layout.root / "exports" / "tiny.parquet").read_bytes() == b"parquet of run-1"
    assert (layout.root / "reports" / "summary.md").read_text() == "report of run-1\n"
    for name in (DB_NAME, "exports", "reports", "current"):
        link = layout.root / name
        assert link.is_symlink() and not os.path.isabs(os.readlink(link)), "links are relative"
    assert '"run_id": "run-1"' in (release / "manifest.json").read_text()


def test_publish_keeps_only_the_last_releases(tmp_path):
    layout = WarehouseLayout(tmp_path / "wh")
    releases = [
        publish(layout, finished_build(layout, f"run-{i}"), {}, keep=2) for i in range(1, 4)
    ]
    assert layout.releases() == releases[1:]
    assert layout.current_release() == releases[-1].resolve()
    assert layout.published_db.read_bytes() == b"run-3"


def test_publish_refuses_keep_below_one(tmp_path):
    layout = WarehouseLayout(tmp_path / "wh")
    with pytest.raises(ValueError, match="at least 1"):
        publish(layout, finished_build(layout, "run-1"), {}, keep=0)


@pytest.mark.parametrize("name", [DB_NAME, "exports", "reports"])
def test_publish_refuses_to_replace_a_regular_file(tmp_path, name):
    layout = WarehouseLayout(tmp_path / "wh")
    layout.root.mkdir()
    (layout.root / name).write_text("someone's own file")
    with pytest.raises(FileExistsError, match="not the link to the published state"):
        publish(layout, finished_build(layout, "run-1"), {}, keep=2)
    assert (layout.root / name).read_text() == "someone's own file"


def test_failed_builds_are_pruned_but_the_newest_and_those_still_running(tmp_path):
    layout = WarehouseLayout(tmp_path / "wh")
    for name in ("failed-1", "failed-2", "failed-3"):
        (layout.builds_dir / name).mkdir(parents=True)
        os.utime(layout.builds_dir / name, (1000 + int(name[-1]), 1000 + int(name[-1])))
    start_build(layout, "running")  # prunes first; then holds its lock while this process runs
    assert sorted(p.name for p in layout.builds_dir.iterdir()) == ["failed-3", "running"]
    os.utime(layout.builds_dir / "running", (1, 1))  # older than any failed build
    (layout.builds_dir / "failed-4").mkdir()
    assert [p.name for p in prune_failed_builds(layout)] == ["failed-3"]
    assert sorted(p.name for p in layout.builds_dir.iterdir()) == ["failed-4", "running"]


def test_the_release_guard_names_each_source_that_vanishes_or_shrinks_too_much():
    before = {"indicators": {"wjp_roli": 50_000, "paper_table1": 48}, "funding": {"paper": 5}}
    after = {"indicators": {"paper_table1": 48}, "funding": {"paper": 4}}
    assert shrinking_sources(before, after, set()) == [
        "marts.funding: rows of source 'paper' shrank by 20% (5 in the current release, 4 now)",
        f"marts.indicators: rows of source 'wjp_roli' disappeared "
        f"({before['indicators']['wjp_roli']:,} in the current release, 0 now)",
    ]
    assert shrinking_sources(before, after, {"wjp_roli", "funding.paper"}) == []
    grown = {"indicators": {"wjp_roli": 60_000, "paper_table1": 48}, "funding": {"paper": 5}}
    assert shrinking_sources(before, grown, set()) == []
    assert shrinking_sources({}, after, set()) == [], "the first release has nothing to lose"


# --- DuckDB ----------------------------------------------------------------------------------


def test_load_frame_types_columns_as_the_spec_says(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert duck.load_frame(con, "raw", TINY, tiny_frame()) == 2
        described = con.execute("DESCRIBE raw.tiny").fetchall()
        rows = con.execute("SELECT * FROM raw.tiny ORDER BY id").fetchall()
    assert [(r[0], r[1], r[2]) for r in described] == [
        ("id", "INTEGER", "NO"),
        ("name", "VARCHAR", "NO"),
        ("amount", "DECIMAL(18,2)", "YES"),
        ("day", "DATE", "YES"),
        ("tags", "VARCHAR[]", "NO"),
        ("flag", "BOOLEAN", "YES"),
    ]
    assert rows == [
        (1, "a", None, None, [], None),
        (2, "b", Decimal("1.50"), dt.date(2022, 2, 1), ["x", "y"], True),
    ]


def test_load_frame_replaces_the_previous_rows(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        duck.load_frame(con, "raw", TINY, tiny_frame())
        one_row = tiny_frame().iloc[:1]
        assert duck.load_frame(con, "raw", TINY, one_row) == 1


def test_load_frame_refuses_a_value_of_the_wrong_type(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        with pytest.raises(duckdb.ConversionException):
            duck.load_frame(con, "raw", TINY, tiny_frame(day=["2022-02-30", None]))


MART = TableSpec(
    name="tiny_mart",
    description="A mart built from raw.tiny.",
    fields=(
        Field("id", INT, "Key."),
        Field("label", STRING, "Name and tag count."),
        Field("amount", DECIMAL, "Amount.", True),
    ),
    primary_key=("id",),
)


def test_create_typed_table_fixes_columns_order_and_types(tmp_path):
    select = (
        "select name || ':' || len(tags) as label, amount * 2 as amount, id, 'dropped' as extra "
        "from raw.tiny"
    )
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        duck.load_frame(con, "raw", TINY, tiny_frame())
        assert duck.create_typed_table(con, "marts", MART, select) == 2
        described = con.execute("DESCRIBE marts.tiny_mart").fetchall()
        frame = duck.read_spec_frame(con, "marts", MART)
    assert [(r[0], r[1]) for r in described] == [
        ("id", "INTEGER"),
        ("label", "VARCHAR"),
        ("amount", "DECIMAL(18,2)"),
    ]
    assert frame["id"].tolist() == [1, 2]
    assert frame["label"].tolist() == ["a:0", "b:2"]
    assert frame["amount"].tolist()[1] == Decimal("3.00")
    assert str(frame["id"].dtype) == "Int64"
