"""The R examples of docs/queries.md run with Rscript against a freshly built warehouse, from a
folder where `warehouse` is the built warehouse, with the DuckDB CLI on the PATH (the base-R
example lets it read the exports).

R itself is Debian's r-base-core: without it these tests fail, naming the command that installs
it (never a skip). An example that loads an R package Debian does not package, and so cannot be
installed on this project's machines, runs wherever the package is installed and is skipped
elsewhere, the skip naming why.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import require_tool
from tests.test_docs_queries import doc_blocks

R_INSTALL = "apt-get install -y --no-install-recommends r-base-core"
DUCKDB_CLI = Path(sys.executable).with_name("duckdb")
# R packages that Debian 12 does not package (the project's machines reach PyPI, npm and
# Debian's archive, not CRAN): an example that loads one is skipped where it is missing.
NOT_IN_DEBIAN = {
    "arrow": "R's arrow package is not installed. Debian 12 packages no R reader of Parquet or "
    "DuckDB (no r-cran-arrow, r-cran-duckdb or r-cran-nanoparquet), and this project's "
    "machines reach no CRAN mirror. The example runs wherever arrow is installed "
    '(install.packages(c("arrow", "dplyr")))',
    "duckdb": "R's duckdb package is not installed; Debian 12 does not package it "
    "(no r-cran-duckdb) and this project's machines reach no CRAN mirror",
}
LIBRARY = re.compile(r"^\s*(?:library|require)\(\s*['\"]?([A-Za-z0-9.]+)['\"]?\s*\)", re.M)


def r_blocks() -> list[tuple[str, int]]:
    """(code, line of its first line in the doc) of every ```r block."""
    return [(code, line) for language, code, line in doc_blocks() if language == "r"]


@pytest.fixture(scope="module")
def rscript() -> Path:
    found = shutil.which("Rscript")
    why = (
        "the R examples of docs/queries.md run with it. Debian's R: "
        f"`{R_INSTALL}` (as root). This test is never skipped."
    )
    return require_tool(Path(found) if found else Path("/usr/bin/Rscript"), why)


def missing_packages(rscript: Path, packages: list[str]) -> list[str]:
    """Those of `packages` that this R cannot load."""
    if not packages:
        return []
    check = (
        "for (p in commandArgs(TRUE)) "
        "if (!requireNamespace(p, quietly = TRUE)) cat(p, '\\n', sep = '')"
    )
    result = subprocess.run(
        [str(rscript), "--vanilla", "-e", check, "--args", *packages],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.split()


def test_the_library_calls_are_found():
    code = 'library(arrow)\nlibrary("dplyr")\n  require(DBI)\n# library(not_this)\n'
    assert LIBRARY.findall(code) == ["arrow", "dplyr", "DBI"]


def test_the_doc_has_a_base_r_example_that_runs_here():
    """At least one R example needs no package Debian lacks, so R is always exercised."""
    assert any(not set(LIBRARY.findall(code)) & set(NOT_IN_DEBIAN) for code, _ in r_blocks())


@pytest.mark.parametrize(
    ("code", "line"),
    [pytest.param(code, line, id=f"r-{i}") for i, (code, line) in enumerate(r_blocks(), 1)],
)
def test_r_block_runs(code, line, rscript, built, tmp_path):
    missing = missing_packages(rscript, LIBRARY.findall(code))
    unavailable = [p for p in missing if p in NOT_IN_DEBIAN]
    if unavailable:
        pytest.skip(
            f"docs/queries.md:{line} not run: " + "; ".join(NOT_IN_DEBIAN[p] for p in unavailable)
        )
    debian = " ".join(f"r-cran-{p.lower()}" for p in missing)
    assert not missing, (
        f"docs/queries.md:{line} loads R packages this R lacks: {missing}. Install them: "
        f"apt-get install -y {debian} (Debian's names), or install.packages() from CRAN"
    )
    cli = require_tool(DUCKDB_CLI, "the base-R example reads the exports through it")
    (tmp_path / "warehouse").symlink_to(built.layout.root, target_is_directory=True)
    script = tmp_path / "example.R"
    script.write_text(code, encoding="utf-8")
    env = dict(os.environ, PATH=f"{cli.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    result = subprocess.run(
        [str(rscript), "--vanilla", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (
        f"the R block at docs/queries.md:{line} failed (rc {result.returncode}):\n"
        f"{result.stdout}{result.stderr}"
    )
    assert result.stdout.strip(), f"the R block at docs/queries.md:{line} printed nothing"
