"""A lean runtime: the runtime lock holds none of the dev tools (pyproject.toml's `dev` extra),
and the dev lock holds them all. Which lock each make target installs is tested by running it
(tests/test_make_venv.py)."""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from pipeline.settings import REPO_ROOT


def pyproject() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def pins(name: str) -> dict[str, str]:
    """The versions a lock file pins, by package name."""
    lines = (REPO_ROOT / name).read_text(encoding="utf-8").splitlines()
    pairs = [line.split("==") for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(package): version for package, version in pairs}


def locked(name: str) -> set[str]:
    """The package names a lock file pins."""
    return set(pins(name))


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


def test_every_pin_meets_pyprojects_requirement():
    """A lock regenerated without a bound (pytest below 9.2, for one) would be caught here."""
    project = pyproject()["project"]
    for lock, specs in [
        ("requirements.lock", project["dependencies"]),
        (
            "requirements-dev.lock",
            project["dependencies"] + project["optional-dependencies"]["dev"],
        ),
    ]:
        pinned = pins(lock)
        for spec in specs:
            requirement = Requirement(spec)
            version = pinned[canonicalize_name(requirement.name)]
            assert requirement.specifier.contains(version, prereleases=True), (lock, spec, version)
