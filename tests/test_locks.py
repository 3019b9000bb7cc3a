"""A lean runtime: `make run` installs the runtime lock only, `make test` adds the dev lock and
the tools venv; the runtime lock holds none of the dev tools (pyproject.toml's `dev` extra),
and the dev lock holds them all."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pipeline.settings import REPO_ROOT


def pyproject() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def locked(name: str) -> set[str]:
    """The package names a lock file pins."""
    lines = (REPO_ROOT / name).read_text(encoding="utf-8").splitlines()
    return {
        canonicalize_name(line.split("==")[0])
        for line in lines
        if line.strip() and not line.startswith("#")
    }


DEV_TOOLS = sorted(
    canonicalize_name(Requirement(spec).name)
    for spec in pyproject()["project"]["optional-dependencies"]["dev"]
)


def test_the_runtime_lock_holds_no_dev_tool():
    runtime = locked("requirements.lock")
    assert {"pytest", "ruff", "playwright", "polars", "frictionless", "duckdb-cli"} <= set(
        DEV_TOOLS
    )
    assert not set(DEV_TOOLS) & runtime, sorted(set(DEV_TOOLS) & runtime)


def test_the_dev_lock_holds_every_dev_tool_and_the_runtime():
    dev = locked("requirements-dev.lock")
    assert set(DEV_TOOLS) <= dev, sorted(set(DEV_TOOLS) - dev)
    assert locked("requirements.lock") <= dev
    for spec in pyproject()["project"]["dependencies"]:
        assert canonicalize_name(Requirement(spec).name) in dev


def test_cffconvert_stays_out_of_both():
    assert "cffconvert" in locked("requirements-tools.lock")
    assert "cffconvert" not in locked("requirements.lock") | locked("requirements-dev.lock")


def installs(target: str, tmp_path) -> list[str]:
    """The lock files `make <target>` installs into a venv that does not exist yet (dry run)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    result = subprocess.run(
        [
            "make",
            "-n",
            "--no-print-directory",
            target,
            f"VENV={tmp_path / 'venv'}",
            f"TOOLS_VENV={tmp_path / 'tools'}",
            f"DAGSTER_HOME={tmp_path / 'home'}",
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return re.findall(r"-r (requirements[\w.-]*\.lock)", result.stdout)


@pytest.mark.parametrize(
    ("target", "locks"),
    [
        ("run", ["requirements.lock"]),
        ("dev", ["requirements.lock"]),
        ("test", ["requirements.lock", "requirements-dev.lock", "requirements-tools.lock"]),
    ],
)
def test_each_make_target_installs_only_its_locks(target, locks, tmp_path):
    assert installs(target, tmp_path) == locks
