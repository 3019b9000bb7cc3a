"""`make bench` compares the pipeline with a same-output DuckDB script (benchmarks/reference.py),
which writes marts.indicators' columns by hand: it must know every column the mart has, or the
bench fails only when someone runs it (as it did when `value_label` was added). And it must
write what the pipeline exports for every shape the bench generates (benchmarks/
synthetic_source.py): here each shape at a tiny size, all in one warehouse, one refresh, each
shape's rows compared with the reference's as the bench compares them.
"""

from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.compare_exports import compare
from benchmarks.reference import MART_COLUMNS, same_output
from benchmarks.run import RESULTS
from benchmarks.synthetic_source import SHAPES, layout, write_sources
from pipeline import build, lineage
from pipeline.asset_versions import asset_versions
from pipeline.schemas.model_specs import load_model_spec
from pipeline.settings import MODELS_DIR, REPO_ROOT, Settings
from tests.harness import copy_raw

# Each shape at a size its arithmetic allows, tiny: narrow 200 x 125 x 1; wide 1,000 indicators
# x 20 countries x 1 year; long 10 declared units x 200 years x 10 indicators; many_sources 4
# sources of 4,000 rows.
TINY = {"narrow": 25_000, "wide": 20_000, "long": 20_000, "many_sources": 16_000}


def test_the_reference_script_writes_every_column_of_the_indicators_mart():
    mart = load_model_spec(MODELS_DIR / "marts" / "indicators.yml", "indicators")[0]
    assert [f.name for f in mart.fields if f.name not in MART_COLUMNS] == []
    assert sorted(set(MART_COLUMNS) - {f.name for f in mart.fields}) == []


def test_the_bench_shapes_are_the_ones_it_promises_at_25m_rows():
    """wide 1,000 x 250 x 100; long a few indicators over many declared units; many_sources
    100 sources of 250,000 rows; narrow as the first bench's source."""
    found = {shape: layout(shape, 25_000_000) for shape in SHAPES}
    assert all(f.rows == 25_000_000 for f in found.values())
    assert (found["wide"].indicators, found["wide"].countries, found["wide"].years) == (
        1000,
        250,
        100,
    )
    assert found["long"].indicators <= 10 < 1000 < found["long"].units
    assert (found["many_sources"].sources, found["many_sources"].rows // 100) == (100, 250_000)
    assert (found["narrow"].countries, found["narrow"].years) == (200, 125)
    half = layout("wide", 12_500_000)
    assert half.indicators == 1000 and half.years < 100, "scaled down keeping the indicators"


@pytest.fixture(scope="module")
def shapes_release(tmp_path_factory):
    """One warehouse holding every shape (Parquet and CSV alternately), published once."""
    base = tmp_path_factory.mktemp("shapes")
    raw_dir = copy_raw(base)
    ids = {}
    for n, (shape, rows) in enumerate(TINY.items()):
        written = write_sources(raw_dir / "indicators", layout(shape, rows), shape, n % 2 == 1)
        ids[shape] = [path.stem for path in written]
    settings = Settings.resolve(
        raw_dir, base / "warehouse", base / "cache", memory_limit="1GB", environ={}
    )
    graph = lineage.build_graph(raw_dir, MODELS_DIR)
    request = build.Request("shapes", models_dir=MODELS_DIR)
    result = build.refresh(settings, graph, asset_versions(graph), request, log=lambda _: None)
    assert result.published, result.refused
    return raw_dir, result.release_dir / "exports" / "indicators" / "*.parquet", ids


@pytest.mark.parametrize("shape", list(TINY))
def test_the_reference_writes_what_the_pipeline_exports_for_each_shape(
    shapes_release, shape, tmp_path
):
    raw_dir, export, ids = shapes_release
    written = same_output(raw_dir, ids[shape], tmp_path / "b.parquet", tmp_path)
    assert written["rows"] == TINY[shape]
    found = compare(export, tmp_path / "b.parquet", ids[shape])
    assert found == {
        "equal": True,
        "rows": TINY[shape],
        "pipeline_rows": TINY[shape],
        "rows_of_other_sources": 0,
        "codecs": ["ZSTD"],
    }


def test_the_comparison_sees_two_rows_swapped_and_one_value_changed(shapes_release, tmp_path):
    """The digest is of each row with its position: the same rows in another order differ."""
    raw_dir, export, ids = shapes_release
    same_output(raw_dir, ids["narrow"], tmp_path / "b.parquet", tmp_path)
    table = pq.read_table(tmp_path / "b.parquet")
    order = list(range(table.num_rows))
    order[0], order[1] = order[1], order[0]
    pq.write_table(table.take(order), tmp_path / "swapped.parquet", compression="zstd")
    assert compare(export, tmp_path / "swapped.parquet", ids["narrow"])["equal"] is False
    lines = table.column("source_line").to_pylist()
    field = table.schema.get_field_index("source_line")
    changed = table.set_column(
        field,
        table.schema.field(field),
        pa.array([lines[0] + 1, *lines[1:]], table.schema.field(field).type),
    )
    pq.write_table(changed, tmp_path / "changed.parquet", compression="zstd")
    assert compare(export, tmp_path / "changed.parquet", ids["narrow"])["equal"] is False


def test_the_bench_asked_for_help_says_what_it_does_and_runs_nothing():
    before = RESULTS.stat().st_mtime_ns if RESULTS.is_file() else None
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("`make bench`") and "BENCH_PARTS" in done.stdout
    assert (RESULTS.stat().st_mtime_ns if RESULTS.is_file() else None) == before
