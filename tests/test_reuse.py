"""An unchanged long-format source is reused from the published release (pipeline/reuse.py):
not read, typed, checked or exported again; and it is read again, saying why in one line, when
its file, its origin record or its code changed, when its published copy fails its checksum or
its recorded row count, and the published release stays whole when a refresh that reuses it
fails.

Each test copies one published warehouse (the committed raw files, offline, with a 20,000-row
Parquet source `kept` and a small CSV source), changes it and refreshes it as `make run` does
(build.refresh with if_changed, no Dagster), twice at most.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks.incremental import write_layout
from pipeline import build, integrity, lineage, reuse
from pipeline.asset_versions import asset_versions
from pipeline.settings import MODELS_DIR, Settings
from pipeline.transforms.sources.read_all import CHECK_ORIGIN, DownloadOptions
from tests.harness import OFFLINE, copy_raw, rechecksum
from tests.test_indicator_sources import CSV_ROWS, make_source

KEPT, ADDED = "kept", "added_csv"
KEPT_KEY = lineage.long_source_key(KEPT)
KEPT_PART = reuse.part_path(KEPT)


def refresh(
    base: Path, *, if_changed: bool = True, versions: dict | None = None, models_dir=MODELS_DIR
):
    """One refresh of the project under `base`, as `make run` (if_changed) or --force makes it:
    the result and the lines it logged."""
    raw_dir = base / "raw"
    settings = Settings.resolve(raw_dir, base / "warehouse", base / "cache", environ={})
    graph = lineage.build_graph(raw_dir, models_dir)
    lines: list[str] = []
    request = build.Request(
        f"run-{len(list((base / 'warehouse').glob('releases/*')))}-{if_changed}",
        downloads=DownloadOptions(5, dict(OFFLINE)),
        models_dir=models_dir,
        if_changed=if_changed,
    )
    versions = asset_versions(graph) | (versions or {})
    return build.refresh(settings, graph, versions, request, lines.append), lines


def current(base: Path) -> Path:
    return (base / "warehouse" / "current").resolve()


def manifest(base: Path) -> dict:
    return json.loads((current(base) / "manifest.json").read_text())


@pytest.fixture(scope="module")
def origin(tmp_path_factory) -> Path:
    """A published warehouse holding `kept` (20,000 rows, Parquet)."""
    base = tmp_path_factory.mktemp("reuse")
    copy_raw(base)
    write_layout(base / "raw" / "indicators", KEPT, (100, 20, 10))
    result, _ = refresh(base, if_changed=False)
    assert result.published, result.refused
    return base


@pytest.fixture
def project(origin, tmp_path) -> Path:
    """The published warehouse, copied for the test, with a small CSV source added."""
    shutil.copytree(origin / "raw", tmp_path / "raw")
    shutil.copytree(origin / "warehouse", tmp_path / "warehouse", symlinks=True)
    make_source(tmp_path / "raw" / "indicators", ADDED, CSV_ROWS, "csv")
    return tmp_path


def said(lines: list[str], start: str) -> list[str]:
    return [line for line in lines if line.startswith(start)]


def test_an_unchanged_source_is_reused_not_read_and_its_bytes_are_the_published_ones(project):
    before = manifest(project)
    part = (current(project) / KEPT_PART).read_bytes()
    result, lines = refresh(project)
    assert result.published, result.refused
    after = manifest(project)
    (line,) = said(lines, f"{KEPT_KEY}: ")
    assert line.startswith(f"{KEPT_KEY}: reused from release {before['release_id']}, not read")
    assert said(lines, f"{KEPT_PART}: reused")
    assert KEPT_KEY not in after["rebuilt"] and lineage.long_source_key(ADDED) in after["rebuilt"]
    assert after["assets"][KEPT_KEY] == before["assets"][KEPT_KEY]  # its published record, kept
    assert (current(project) / KEPT_PART).read_bytes() == part
    assert after["files"][KEPT_PART] == before["files"][KEPT_PART]
    rows = before["row_counts"]["indicators"][KEPT]
    assert after["row_counts"]["indicators"][KEPT] == rows
    assert after["parts"]["indicators"][KEPT]["rows"] == rows
    added = reuse.part_path(ADDED)
    assert (current(project) / added).is_file() and added in after["files"]
    package = json.loads((current(project) / "exports" / "datapackage.json").read_text())
    parts = {r["name"]: r["path"] for r in package["resources"]}
    assert parts[f"indicators-{KEPT}"] == f"indicators/{KEPT}.parquet"
    assert parts[f"indicators-{ADDED}"] == f"indicators/{ADDED}.parquet"
    changes = result_changes(project)
    assert changes["rows_added"] == len(CSV_ROWS) and changes["rows_removed"] == 0
    assert changes["rows_now"] == changes["rows_before"] + len(CSV_ROWS)


def result_changes(base: Path) -> dict:
    import duckdb

    with duckdb.connect(str(current(base) / "warehouse.duckdb"), read_only=True) as con:
        cursor = con.execute("SELECT * FROM marts.release_changes WHERE mart = 'indicators'")
        names = [d[0] for d in cursor.description]
        return dict(zip(names, cursor.fetchone(), strict=True))


def test_a_forced_refresh_reads_it_again(project):
    result, lines = refresh(project, if_changed=False)
    assert result.published
    assert said(lines, f"{KEPT_KEY}: read again: ")
    assert KEPT_KEY in manifest(project)["rebuilt"]


def test_a_changed_file_is_read_again_and_refused_when_its_record_disagrees(project, tmp_path):
    """Another file under the same name, its record unchanged: the plan, which compares the
    checksums records state, sees nothing; the file's own sha256 is checked before a reuse."""
    data = project / "raw" / "indicators" / f"{KEPT}.parquet"
    other = write_layout(tmp_path / "other", KEPT, (100, 19, 10))
    shutil.copy(other, data)
    before = manifest(project)["release_id"]
    result, lines = refresh(project)
    (line,) = said(lines, f"{KEPT_KEY}: ")
    assert line.startswith(f"{KEPT_KEY}: read again: raw/indicators/{KEPT}.parquet has sha256 ")
    assert not result.published and manifest(project)["release_id"] == before
    (outcome,) = [o for o in result.outcomes if o.asset_key == KEPT_KEY]
    (problem,) = outcome.checks[CHECK_ORIGIN]
    assert "sha256" in problem.message() and f"{KEPT}.meta.yml" in problem.message()
    # Recorded as a deliberate edit, it is read, checked and published.
    rechecksum(data)
    result, lines = refresh(project)
    assert said(lines, f"{KEPT_KEY}: read again: raw/indicators/{KEPT}.")
    assert result.published, result.refused
    assert manifest(project)["row_counts"]["indicators"][KEPT] == 100 * 19 * 10


def test_a_changed_origin_record_is_read_again(project):
    record = project / "raw" / "indicators" / f"{KEPT}.meta.yml"
    record.write_text(record.read_text().replace("Synthetic indicator 3", "Renamed 3"))
    result, lines = refresh(project)
    assert result.published, result.refused
    assert said(lines, f"{KEPT_KEY}: read again: raw/indicators/{KEPT}.meta.yml changed")
    assert KEPT_KEY in manifest(project)["rebuilt"]
    assert said(lines, f"{KEPT_PART}: ") == []  # not reused, so not said twice


def test_a_changed_code_version_is_read_again(project):
    result, lines = refresh(project, versions={KEPT_KEY: "another-code-version"})
    assert result.published, result.refused
    assert said(lines, f"{KEPT_KEY}: read again: its code changed")


def test_a_changed_mart_writes_its_part_again_from_the_kept_table(project, tmp_path):
    """The source is reused but the SQL that makes its rows of marts.indicators changed: its
    rows are checked and its part written again, from the typed table kept."""
    models = shutil.copytree(MODELS_DIR, tmp_path / "models")
    sql = models / "marts" / "indicators.sql"
    sql.write_text("-- edited by a test\n" + sql.read_text())
    part = (current(project) / KEPT_PART).read_bytes()
    result, lines = refresh(project, models_dir=models)
    assert result.published, result.refused
    assert said(lines, f"{KEPT_KEY}: reused")
    (line,) = said(lines, f"{KEPT_PART}: ")
    assert line == f"{KEPT_PART}: checked and written again: {reuse.CHANGED}"
    assert (current(project) / KEPT_PART).read_bytes() == part  # same rows, same bytes


def test_a_damaged_published_part_is_detected_and_the_source_read_again(project):
    path = current(project) / KEPT_PART
    blob = bytearray(path.read_bytes())
    blob[100] ^= 0x01
    path.write_bytes(bytes(blob))
    result, lines = refresh(project)
    assert result.published, result.refused
    (damaged,) = [line for line in lines if " is damaged: " in line]
    assert f"is damaged: {KEPT_PART}: sha256 " in damaged
    assert said(lines, f"{KEPT_KEY}: ") == []  # nothing to reuse: a build from nothing
    assert KEPT_KEY in manifest(project)["rebuilt"]
    layout = integrity.release.WarehouseLayout(project / "warehouse")
    assert integrity.verify_current(layout)[1] == []


def test_a_typed_table_that_is_not_the_published_one_is_read_again(project):
    published = current(project) / "manifest.json"
    document = json.loads(published.read_text())
    document["assets"][KEPT_KEY]["rows"] += 1  # the manifest is not in its own file list
    published.write_text(json.dumps(document))
    result, lines = refresh(project)
    assert result.published, result.refused
    rows = document["assets"][KEPT_KEY]["rows"]
    assert said(lines, f"{KEPT_KEY}: read again: its typed table holds {rows - 1:,} rows")


def test_a_refresh_that_fails_after_reusing_leaves_the_release_whole(project):
    """The added source is broken: the refresh reuses `kept`, then is refused; the release is
    the one it was, every file verifies, and the next refresh reuses `kept` again."""
    added = project / "raw" / "indicators" / f"{ADDED}.csv"
    added.write_text(added.read_text().replace("KAZ", "QQQ", 1))
    rechecksum(added)
    before = manifest(project)
    result, lines = refresh(project)
    assert not result.published
    assert said(lines, f"{KEPT_KEY}: reused")
    layout = integrity.release.WarehouseLayout(project / "warehouse")
    assert integrity.verify_current(layout) == (before["release_id"], [])
    assert manifest(project) == before
    make_source(project / "raw" / "indicators", ADDED, CSV_ROWS, "csv")
    result, lines = refresh(project)
    assert result.published and said(lines, f"{KEPT_KEY}: reused")
