"""`make run`, `make clean` and `make distclean` in a clone whose path has spaces: everything is
made inside the clone and nothing beside it; `make clean` keeps the published release (and the
download cache), `make distclean` removes everything, saying what.

Run through the real `make`, in a copy of the repository's files (`git ls-files`) at
`<tmp>/my projects/human rights`, offline. The copy's `.venv` links to this interpreter's venv
entry by entry, with a runtime stamp of its own that is up to date, so nothing is installed
(checked with `make -q` before `make run`)."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.settings import REPO_ROOT

MAKE = shutil.which("make")
OFFLINE = "http://127.0.0.1:9/unreachable"  # nothing listens on port 9: refused at once

pytestmark = pytest.mark.skipif(
    MAKE is None or not (REPO_ROOT / ".git").exists() or sys.prefix == sys.base_prefix,
    reason="needs make, a git clone and a venv to link",
)


def copy_clone(destination: Path) -> None:
    """The files a clone holds, as they are in the working tree, and the new ones not ignored
    (a file just added, not yet committed, may be imported); with their times (the venv stamp
    must stay newer than the locks)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout
    for name in listed.decode().split("\0"):
        source = REPO_ROOT / name
        if name and source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def link_venv(clone: Path) -> None:
    """`.venv` as this interpreter's venv, each entry a link; its stamps are the clone's own."""
    venv = clone / ".venv"
    venv.mkdir()
    for entry in Path(sys.prefix).iterdir():
        if not entry.name.startswith("."):
            (venv / entry.name).symlink_to(entry)


def make(clone: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DAGSTER_HOME")
        and not k.startswith("PIPELINE_")
    }
    env |= {"WJP_SNAPSHOT_URL": OFFLINE, "VDEM_SNAPSHOT_URL": OFFLINE}
    return subprocess.run(
        [MAKE, "--no-print-directory", *args],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def clone(tmp_path) -> Path:
    clone = tmp_path / "my projects" / "human rights"
    copy_clone(clone)
    link_venv(clone)
    runtime = make(clone, "--eval", "runtime-stamp: ; @echo $(RUNTIME)", "runtime-stamp")
    assert runtime.returncode == 0, runtime.stderr
    (clone / runtime.stdout.strip()).touch()
    up_to_date = make(clone, "-q", runtime.stdout.strip())
    assert up_to_date.returncode == 0, "make would install into the linked venv"
    imported = subprocess.run(
        [".venv/bin/python", "-c", "import pipeline; print(pipeline.__file__)"],
        cwd=clone,
        capture_output=True,
        text=True,
        check=True,
    )
    assert imported.stdout.strip() == str(clone / "pipeline" / "__init__.py")
    return clone


def entries(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_make_run_clean_and_distclean_in_a_path_with_spaces(tmp_path, clone):
    before = entries(clone)
    result = make(clone, "run")
    said = result.stdout + result.stderr
    assert result.returncode == 0, said
    assert "Refresh succeeded" in said
    warehouse = clone / "warehouse"
    release = (warehouse / "current").resolve()
    assert release.parent == warehouse / "releases" and release.is_dir()
    assert (warehouse / "warehouse.duckdb").is_file()
    assert (clone / ".dagster" / "dagster.yaml").is_file()
    # Made inside the clone, and nothing anywhere else: not "my" beside "my projects", not
    # "projects/human" nor "rights" in the clone (where make runs).
    assert entries(clone) - before == {"warehouse", ".dagster"}
    assert entries(tmp_path) == {"my projects"}
    assert entries(clone.parent) == {"human rights"}
    assert not {"my", "projects", "rights"} & entries(REPO_ROOT)

    # What `make clean` removes: a failed build, the logs, the caches of the tools.
    failed = warehouse / "builds" / "failed-run"
    failed.mkdir(parents=True)
    (failed / "warehouse.duckdb").write_bytes(b"half built")
    assert list((warehouse / "logs").glob("*.log"))
    for cache in (".pytest_cache", ".ruff_cache", "test-artifacts"):
        (clone / cache).mkdir()
    (clone / "pipeline" / "__pycache__").mkdir(exist_ok=True)
    (clone / "pipeline" / "__pycache__" / "x.pyc").write_bytes(b"")
    download = warehouse / "cache" / "kept.json"
    download.parent.mkdir(exist_ok=True)
    download.write_text("{}")
    published = {p.relative_to(release) for p in release.rglob("*")}

    # Not while a refresh holds the warehouse: refused, nothing removed.
    with open(warehouse / ".refresh.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        refused = make(clone, "clean")
    assert refused.returncode != 0 and refused.stdout == ""
    assert refused.stderr.startswith(
        "make clean: a refresh is building into warehouse/; nothing removed: run make clean once"
    )
    assert failed.is_dir() and (clone / ".pytest_cache").is_dir()

    cleaned = make(clone, "clean")
    assert cleaned.returncode == 0, cleaned.stdout + cleaned.stderr
    said = cleaned.stdout.splitlines()
    assert said[0].startswith("Removing what is made again (kept: warehouse/releases, ")
    listed = [line.split("\t")[-1] for line in said[1:]]
    assert listed[:5] == [
        "warehouse/builds",
        "warehouse/logs",
        ".pytest_cache",
        ".ruff_cache",
        "test-artifacts",
    ]
    assert (warehouse / "current").resolve() == release
    assert {p.relative_to(release) for p in release.rglob("*")} == published
    for link in ("warehouse.duckdb", "exports", "reports"):
        assert (warehouse / link).exists()
    assert download.is_file() and (clone / ".dagster" / "dagster.yaml").is_file()
    assert not (warehouse / "builds").exists() and not (warehouse / "logs").exists()
    assert not list(clone.rglob("__pycache__"))
    assert not {".pytest_cache", ".ruff_cache", "test-artifacts"} & entries(clone)
    assert (clone / ".venv" / "bin").is_symlink()
    assert entries(tmp_path) == {"my projects"}

    # `make distclean`: everything made, listed first; the venv's links go, not what they name.
    gone = make(clone, "distclean")
    assert gone.returncode == 0, gone.stdout + gone.stderr
    said = gone.stdout.splitlines()
    assert said[0] == "Removing everything made, the published warehouse included:"
    assert [line.split("\t")[-1] for line in said[1:]] == ["warehouse", ".dagster", ".venv"]
    assert entries(clone) == before - {".venv"}
    assert (Path(sys.prefix) / "bin" / "python").exists()
    assert entries(tmp_path) == {"my projects"}
