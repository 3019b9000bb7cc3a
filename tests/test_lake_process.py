"""The lake's own process (pipeline/lake_process.py): the pipeline's DuckDB is not the one the
packaged extensions are built for, so each commit runs `python -m pipeline.lake` with the lake's
DuckDB from `.venv/lake` (requirements-lake.lock). Here, without the services: what the two
processes run, what a missing install says, and that a failing commit is one line without the
catalog's password. The commits themselves, against real PostgreSQL and S3, are in
test_beyond_one_machine.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata

import duckdb
import pytest

from pipeline import lake, lake_process
from pipeline.settings import REPO_ROOT, Settings, lake_missing, lake_site, problems

LAKE_LOCK = REPO_ROOT / "requirements-lake.lock"


def pins(lock) -> dict[str, str]:
    lines = lock.read_text().splitlines()
    return dict(line.split("==") for line in lines if "==" in line and not line.startswith("#"))


def lake_settings(tmp_path, catalog: str) -> Settings:
    env = {"PIPELINE_PUBLISH_URL": "s3://bucket/prefix", "PIPELINE_LAKE_CATALOG": catalog}
    return Settings.resolve(warehouse_dir=tmp_path / "warehouse", environ=env)


def a_release(tmp_path):
    """A release folder as the store leaves it: its manifest and its warehouse file."""
    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"sequence": 1}))
    duckdb.connect(str(folder / "warehouse.duckdb")).close()
    return folder


def test_the_lake_lock_pins_duckdb_with_the_extensions_built_for_it():
    pinned = pins(LAKE_LOCK)
    extensions = {f"duckdb-extension-{name}" for name in lake.EXTENSIONS}
    assert set(pinned) == {"duckdb"} | extensions
    assert {pinned[name] for name in extensions} == {pinned["duckdb"]}
    assert pinned["duckdb"] != duckdb.__version__  # why it is a process of its own
    assert pins(REPO_ROOT / "requirements.lock")["duckdb"] == metadata.version("duckdb")


def test_the_lake_process_runs_the_lake_duckdb_and_the_pipeline_keeps_its_own(tmp_path):
    if why := lake_missing():
        pytest.fail(f"{why} (make test installs it)")
    env = lake_process.environment(lake_settings(tmp_path, "duckdb:x.ducklake"), lake_site())
    code = "import duckdb; from pipeline import lake; print(duckdb.__version__, lake.__file__)"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    version, module = done.stdout.split()
    assert version == pins(LAKE_LOCK)["duckdb"] and version != duckdb.__version__, done.stderr
    assert module == str(REPO_ROOT / "pipeline" / "lake.py")
    with pytest.raises(lake_process.LakeError, match="make lake-duckdb"):
        lake.extension_file("ducklake")  # not in the pipeline's own process


def test_without_the_lake_duckdb_every_command_says_what_to_run(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "prefix", str(tmp_path))  # a venv without the lake's DuckDB
    assert lake_site() == tmp_path / "lake"
    env = {
        "PIPELINE_PUBLISH_URL": "s3://bucket/prefix",
        "PIPELINE_LAKE_CATALOG": "postgres:dbname=lake",
        "PIPELINE_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
    }
    said = [line for line in problems(env) if "PIPELINE_LAKE_CATALOG" in line]
    assert len(said) == 1 and "run make lake-duckdb" in said[0], said
    assert not [line for line in problems(env | {"PIPELINE_LAKE_CATALOG": ""}) if "lake" in line]
    with pytest.raises(lake_process.LakeError, match="make lake-duckdb"):
        lake_process.commit(lake_settings(tmp_path, "postgres:dbname=lake"), tmp_path, "r1")


def test_a_commit_that_fails_says_why_in_one_line_without_the_password(tmp_path):
    if why := lake_missing():
        pytest.fail(f"{why} (make test installs it)")
    catalog = "postgres:dbname=lake host=127.0.0.1 port=1 user=u password=s3cr3t-value"
    settings = lake_settings(tmp_path, catalog)
    with pytest.raises(lake_process.LakeError) as refused:
        lake_process.commit(settings, a_release(tmp_path), "r1")
    said = str(refused.value)
    assert said.startswith("cannot attach the lake") and "\n" not in said, said
    assert "s3cr3t-value" not in said and "password=***" in said, said


def test_a_commit_to_a_catalog_it_cannot_open_names_the_catalog(tmp_path):
    if why := lake_missing():
        pytest.fail(f"{why} (make test installs it)")
    catalog = f"duckdb:{tmp_path / 'no such folder' / 'x.ducklake'}"
    with pytest.raises(lake_process.LakeError, match="cannot attach the lake 'duckdb:.*no such"):
        lake_process.commit(lake_settings(tmp_path, catalog), a_release(tmp_path), "r1")


@pytest.mark.parametrize(
    ("catalog", "text", "shown"),
    [
        ("postgres:dbname=l password=pw1", None, "postgres:dbname=l password=***"),
        (
            "postgres:dbname=l PASSWORD=pw1",
            "at dbname=l PASSWORD=pw1: refused",
            "at dbname=l PASSWORD=***: refused",
        ),
        ("postgres:dbname=l", "no password here", "no password here"),
    ],
)
def test_the_password_of_a_catalog_is_never_shown(catalog, text, shown):
    assert lake.shown_catalog(catalog, text) == shown
