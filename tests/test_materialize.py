"""Materialized means published, through Dagster's public API: any selection builds what it
needs and publishes a whole release (`dg.materialize(selection=...)`, `dagster asset
materialize --select`), a release never mixes a mart with an export built from another state of
it, a refused refresh leaves every asset's latest materialization on the published release, and
code versions follow the code that builds each asset and what it reads.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipeline import lineage
from pipeline.asset_versions import asset_versions
from pipeline.defs.factory import build_definitions
from pipeline.release import read_manifest
from pipeline.settings import MODELS_DIR, PACKAGE_DIR, REPO_ROOT
from pipeline.version import code_files
from tests.harness import Run, cli_env, edit_csv, materialize, project

GRAPH = lineage.build_graph(REPO_ROOT / "raw", MODELS_DIR)
VERSIONS = asset_versions(GRAPH)
# Assets that describe the release itself: rebuilt by every refresh that publishes.
PER_RELEASE = {
    "raw_inventory",
    "mart_release_changes",
    "export_release_changes",
    "report_summary",
    "warehouse_release",
}


def export_digests(run: Run) -> dict[str, str]:
    folder = run.layout.root / "exports"
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def select(run: Run, selection: str, instance=None) -> dg.ExecuteInProcessResult:
    """`dg.materialize` of the definitions' assets with a selection, as a test of a Dagster
    project does."""
    resource = project(run.warehouse_dir.parent, run.raw_dir)
    defs = build_definitions(run.raw_dir, MODELS_DIR, resource)
    return dg.materialize(
        list(defs.assets),
        selection=selection,
        resources={"project": resource},
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def materialized(result) -> dict[str, dict]:
    return {
        e.materialization.asset_key.to_user_string(): e.materialization.metadata
        for e in result.get_asset_materialization_events()
    }


@pytest.mark.parametrize("selection", ["mart_countries", "stg_paper__timeline", "export_errata"])
def test_one_selected_asset_is_published_and_every_other_mart_stays_byte_identical(
    published: Run, selection
):
    before_release = read_manifest(published.layout.current_release())
    before = export_digests(published)
    result = select(published, selection)
    assert result.success, published.failed_checks()
    after_release = read_manifest(published.layout.current_release())
    assert after_release["previous_release"] == before_release["release_id"]
    # The selection, and what describes the new release; nothing else had a reason to change.
    assert set(materialized(result)) == {selection} | PER_RELEASE
    assert set(after_release["rebuilt"]) == {selection} | PER_RELEASE
    after = export_digests(published)
    changed = {name for name in before if before[name] != after[name]}
    assert changed <= {"release_changes.parquet", "datapackage.json"}, changed
    # Each materialization names the release that holds it, and carries its versions.
    for key, metadata in materialized(result).items():
        assert metadata["release"].value == after_release["release_id"], key
    (event,) = [
        e
        for e in result.get_asset_materialization_events()
        if e.materialization.asset_key.to_user_string() == selection
    ]
    tags = event.materialization.tags
    assert tags["dagster/code_version"] == VERSIONS[selection]
    assert tags["dagster/data_version"] == after_release["assets"][selection]["data_version"]


def test_a_changed_model_rebuilds_its_downstream_so_no_release_mixes_states(
    published: Run, tmp_path
):
    """A model whose SQL changed is rebuilt with everything downstream of it, even when only it
    is selected: an export or a report is never published from another state of its mart."""
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    sql = models / "marts" / "countries.sql"
    sql.write_text(sql.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    resource = project(published.warehouse_dir.parent, published.raw_dir)
    defs = build_definitions(published.raw_dir, models, resource)
    before = export_digests(published)
    result = dg.materialize(
        list(defs.assets),
        selection="mart_countries",
        resources={"project": resource},
        raise_on_error=False,
    )
    assert result.success
    graph = lineage.build_graph(published.raw_dir, models)
    expected = {"mart_countries"} | graph.downstream("mart_countries")
    assert set(materialized(result)) == expected | {"raw_inventory"}
    manifest = read_manifest(published.layout.current_release())
    assert manifest["reasons"]["export_countries"] == "reads mart_countries, whose data changes"
    after = export_digests(published)
    rebuilt_exports = {f"{k.removeprefix('export_')}.parquet" for k in expected}
    for name in before.keys() - rebuilt_exports - {"datapackage.json"}:
        assert before[name] == after[name], f"{name} changed though nothing it reads did"


def test_a_refused_refresh_leaves_every_latest_materialization_on_the_published_release(
    published: Run,
):
    instance = dg.DagsterInstance.ephemeral()
    first = materialize(published.raw_dir, published.warehouse_dir.parent, instance=instance)
    assert first.result.success
    release = read_manifest(published.layout.current_release())["release_id"]
    # A cell of Table 1 that disagrees with the rest of the paper: refused by its rows check.
    edit_csv(published.raw_dir / "paper" / "table1_ranks.csv", ",2022,65,140,", ",2022,650,140,")
    refused = materialize(published.raw_dir, published.warehouse_dir.parent, instance=instance)
    assert not refused.result.success
    assert refused.result.get_asset_materialization_events() == []
    failed = [
        e
        for e in refused.result.get_asset_check_evaluations()
        if not e.passed and e.severity == dg.AssetCheckSeverity.ERROR
    ]
    assert failed and all(e.metadata["failure_cases"].records for e in failed)
    for key in GRAPH.order:
        event = instance.get_latest_materialization_event(dg.AssetKey(key))
        assert event is not None, key
        assert event.run_id == first.result.run_id, f"{key}: latest materialization unpublished"
        assert event.asset_materialization.metadata["release"].value == release, key
    assert read_manifest(published.layout.current_release())["release_id"] == release


def test_the_dagster_cli_materializes_a_selection_and_publishes_it(published: Run):
    env = cli_env(published, published.warehouse_dir.parent / "dagster_home")
    dagster = Path(sys.executable).with_name("dagster")
    command = [str(dagster), "asset", "materialize", "-m", "pipeline.definitions"]
    completed = subprocess.run(
        [*command, "--select", "mart_countries"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    manifest = read_manifest(published.layout.current_release())
    assert set(manifest["rebuilt"]) == {"mart_countries"} | PER_RELEASE


# --- code versions ----------------------------------------------------------------------------


def test_editing_one_sql_file_changes_the_version_of_that_model_and_its_downstream_only(tmp_path):
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    sql = models / "staging" / "stg_paper__timeline.sql"
    sql.write_text(sql.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    graph = lineage.build_graph(REPO_ROOT / "raw", models)
    changed = {k for k, v in asset_versions(graph).items() if v != VERSIONS[k]}
    assert changed == {"stg_paper__timeline"} | GRAPH.downstream("stg_paper__timeline")
    assert "mart_funding" not in changed and "raw_paper__timeline_events" not in changed


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("package") / "pipeline"
    shutil.copytree(PACKAGE_DIR, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("cli.py", set()),  # console output: changes no output
        ("defs/automation.py", set()),  # when a refresh is requested
        ("transforms/report/__init__.py", {"report_summary", "warehouse_release"}),
        # every export, and the report and release after them
        ("transforms/publish/export.py", None),
    ],
)
def test_a_python_module_is_in_the_versions_of_the_assets_whose_code_imports_it(
    package_copy, relative, expected
):
    path = package_copy / relative
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + "\n# edited\n", encoding="utf-8")
        graph = lineage.build_graph(REPO_ROOT / "raw", package_copy / "sql")
        changed = {k for k, v in asset_versions(graph, package_copy).items() if v != VERSIONS[k]}
    finally:
        path.write_text(original, encoding="utf-8")
    if expected is None:
        exports = {k for k in GRAPH.deps if k.startswith("export_")}
        expected = exports | {"report_summary", "warehouse_release"}
    assert changed == expected


def test_the_dev_lock_tests_and_docs_are_in_no_version():
    """The digest of everything (the release manifest's) reads the package and the runtime
    lock; the per-asset versions read package modules only."""
    names = {name for name, _ in code_files()}
    assert "requirements.lock" in names and "requirements-dev.lock" not in names
    assert not any(name.startswith(("tests/", "docs/")) for name in names)
