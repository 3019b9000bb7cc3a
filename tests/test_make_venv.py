"""The Makefile's venv rule and the one Python the locks are for (3.11): a venv made by another
Python is removed and made again, saying so, even when its stamp is up to date; without a
Python 3.11 to make it, one line says so and nothing is made. And a lean runtime: `make run` and
`make dev` install the runtime lock only (and the lake's DuckDB for a lake), `make test` adds
the dev lock and the lake's.

Run through the real `make`, in a temporary copy of the files the rule reads, with stand-ins
for the Pythons: each answers the version query, makes a "venv" holding a copy of itself, and
logs every other call (pip installs, the refresh) instead of running it."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.settings import REPO_ROOT

MAKE = shutil.which("make")
COPIED = (
    "Makefile",
    "pyproject.toml",
    "requirements.lock",
    "requirements-dev.lock",
    "requirements-lake.lock",
    "dagster.yaml",
    "dagster.sqlite.yaml",
    "dagster.postgres.yaml",
)
FAKE = """#!/bin/bash
# A stand-in for Python {version}.
if [ "$1 $2" = "-S -c" ]; then {answer}; fi
if [ "$1 $2" = "-m venv" ]; then
  dir="${{@: -1}}"; mkdir -p "$dir/bin" && cp "$0" "$dir/bin/python"; exit 0
fi
echo "python {version}: $*" >> "{log}"
# pip install --target DIR makes DIR.
while [ $# -gt 1 ]; do [ "$1" = --target ] && mkdir -p "$2"; shift; done
"""

pytestmark = pytest.mark.skipif(MAKE is None, reason="needs make")
# What `make run` runs with an up-to-date venv: the instance file written, then the refresh.
RUN_CALLS = ["python 3.11: -m pipeline.instance", "python 3.11: -m pipeline.cli refresh"]


def fake_python(path: Path, version: str, log: Path, runs: bool = True) -> Path:
    answer = f"echo {version}; exit 0" if runs else "exit 127"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FAKE.format(version=version, answer=answer, log=log))
    path.chmod(0o755)
    return path


@pytest.fixture
def project(tmp_path) -> Path:
    for name in COPIED:
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    return tmp_path


def make(
    project: Path, *args: str, path: str | None = None, catalog: str | None = None
) -> subprocess.CompletedProcess:
    unset = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PIPELINE_LAKE_CATALOG")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    if path is not None:
        env["PATH"] = path
    if catalog is not None:
        env["PIPELINE_LAKE_CATALOG"] = catalog
    return subprocess.run(
        [MAKE, "--no-print-directory", *args, f"DAGSTER_HOME={project / 'home'}"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def up_to_date_venv(project: Path, version: str, runs: bool = True) -> Path:
    """A .venv whose stamp is that of the current locks (made by `make run` with a Python 3.11
    stand-in), whose Python is then `version`."""
    python311 = fake_python(project / "py311" / "python3.11", "3.11", project / "calls.log")
    made = make(project, "run", f"PYTHON={python311}")
    assert made.returncode == 0, made.stdout + made.stderr
    (project / "calls.log").unlink()
    return fake_python(project / ".venv" / "bin" / "python", version, project / "calls.log", runs)


@pytest.mark.parametrize("made_by", ["3.12", "broken"])
def test_a_venv_of_another_python_is_made_again_with_a_message(project, made_by):
    python311 = fake_python(project / "py311" / "python3.11", "3.11", project / "calls.log")
    venv_python = up_to_date_venv(project, "3.12", runs=made_by != "broken")
    result = make(project, "run", f"PYTHON={python311}")
    said = "Python 3.12" if made_by == "3.12" else "a Python that no longer runs"
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        f".venv was made by {said}, not Python 3.11 (the one the locks are for): removing it "
        "and making it again"
    ) in result.stdout
    assert "echo 3.11; exit 0" in venv_python.read_text()  # made by the 3.11 stand-in
    calls = (project / "calls.log").read_text().splitlines()
    assert calls[0].startswith("python 3.11: -m pip install") and "-r requirements.lock" in calls[0]
    assert calls[-2:] == RUN_CALLS
    again = make(project, "run", f"PYTHON={python311}")
    assert again.returncode == 0 and "made by" not in again.stdout
    assert (project / "calls.log").read_text().splitlines()[len(calls) :] == RUN_CALLS


def test_without_python_3_11_one_line_says_so_and_no_venv_is_made(project):
    """python3.11 is not on PATH, and python3 is 3.12 (the fallback the Makefile tries)."""
    bin_dir = project / "bin"
    fake_python(bin_dir / "python3", "3.12", project / "calls.log")
    for tool in ("cat", "sha256sum", "cut", "mkdir", "rm", "touch"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    result = make(project, "run", path=str(bin_dir))
    assert result.returncode != 0
    said = [line for line in result.stdout.splitlines() if line.strip()]
    assert said == [
        "make needs Python 3.11 to make its venv: python3.11 is not on PATH, and "
        f"{bin_dir / 'python3'} is Python 3.12; install Python 3.11, or name it: "
        "make PYTHON=/path/to/python3.11"
    ]
    assert not (project / ".venv").exists() and not (project / "calls.log").exists()


def test_a_venv_of_python_3_11_is_kept(project):
    python311 = fake_python(project / "py311" / "python3.11", "3.11", project / "calls.log")
    up_to_date_venv(project, "3.11")
    result = make(project, "run", f"PYTHON={python311}")
    assert result.returncode == 0 and "made by" not in result.stdout
    assert (project / "calls.log").read_text().splitlines() == RUN_CALLS


CHROMIUM_R_POSTGRES = ("/usr/bin/chromium", "/usr/bin/Rscript", "/usr/lib/postgresql/*/bin/pg_ctl")
RUNTIME, DEV_LOCK, LAKE_LOCK = (
    "requirements.lock",
    "requirements-dev.lock",
    "requirements-lake.lock",
)


@pytest.mark.parametrize(
    ("target", "catalog", "locks", "then"),
    [
        ("run", None, [RUNTIME], "-m pipeline.cli refresh"),
        ("run", "postgres:dbname=lake", [RUNTIME, LAKE_LOCK], "-m pipeline.cli refresh"),
        ("dev", None, [RUNTIME], "-m pipeline.dev_ui --port 3000"),
        ("test", None, [RUNTIME, DEV_LOCK, LAKE_LOCK], "-m pytest tests "),
    ],
    ids=["run", "run-with-a-lake", "dev", "test"],
)
def test_each_target_installs_only_its_locks(project, target, catalog, locks, then):
    """From no venv: the locks each target installs (the runtime's first, the others side by
    side) and what it runs with them. The lake's DuckDB only for a lake (PIPELINE_LAKE_CATALOG)
    and for the tests. (The stand-in runs nothing, so each target ends at once.)"""
    if target == "test" and not all(glob.glob(path) for path in CHROMIUM_R_POSTGRES):
        pytest.skip("make test would first install Debian's chromium, R and PostgreSQL")
    python311 = fake_python(project / "py311" / "python3.11", "3.11", project / "calls.log")
    result = make(project, target, f"PYTHON={python311}", catalog=catalog)
    assert result.returncode == 0, result.stdout + result.stderr
    calls = (project / "calls.log").read_text().splitlines()
    installed = [re.search(r" -r (\S+)", call) for call in calls if " -m pip install " in call]
    installed = [found.group(1) for found in installed if found]
    assert installed[:1] == locks[:1] and sorted(installed[1:]) == sorted(locks[1:]), installed
    assert calls[-1].startswith(f"python 3.11: {then}"), calls
