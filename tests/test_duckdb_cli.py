"""The published warehouse opens in DuckDB 1.x tools: the real DuckDB CLI from the duckdb-cli
package (a 1.x release; requirements-dev.lock) opens the file of a real refresh read-only and
gives, for every SQL example of docs/queries.md, exactly what the pipeline's own DuckDB (2.x)
gives. Both write the result with the same COPY statement, so the files compare byte by byte.

The file is written with STORAGE_VERSION (pipeline/release.py); without it DuckDB 2
writes a format the 1.x CLI cannot read, and this test fails.

The doc's ```sh blocks run in bash with this CLI first on the PATH, as a reader's shell would
run them after `make test`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from pipeline.release import STORAGE_VERSION
from tests.harness import require_tool
from tests.test_docs_queries import doc_blocks, statements

# The `duckdb` command the duckdb-cli package installs beside this interpreter.
DUCKDB_CLI = Path(sys.executable).with_name("duckdb")


@pytest.fixture(scope="module")
def duckdb_cli() -> Path:
    return require_tool(
        DUCKDB_CLI,
        "it comes with duckdb-cli (requirements-dev.lock). Run: make test  (it installs the "
        "dev tools)",
    )


def cli_version(cli: Path) -> str:
    return subprocess.run(
        [str(cli), "--version"], capture_output=True, text=True, timeout=30, check=True
    ).stdout.strip()


def documented_queries() -> list[pytest.param]:
    queries = [
        (query, line)
        for language, code, line in doc_blocks()
        if language == "sql"
        for query in statements(code)
    ]
    return [pytest.param(q, line, id=f"queries.md:{line}") for q, line in queries]


def shell_examples() -> list[pytest.param]:
    blocks = [(code, line) for language, code, line in doc_blocks() if language == "sh"]
    return [pytest.param(code, line, id=f"sh-{i}") for i, (code, line) in enumerate(blocks, 1)]


def copy_sql(query: str, target: Path) -> str:
    return f"COPY ({query}) TO '{target}' (HEADER, DELIMITER ',')"


@pytest.fixture
def reader_folder(built, tmp_path, monkeypatch) -> Path:
    """A folder where `warehouse` is the built warehouse, as for a reader of the docs."""
    (tmp_path / "warehouse").symlink_to(built.layout.root, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_cli_is_a_duckdb_1_release(duckdb_cli):
    assert cli_version(duckdb_cli).startswith("v1."), cli_version(duckdb_cli)
    assert duckdb.__version__.startswith("2."), duckdb.__version__  # the writer is newer


@pytest.mark.parametrize(("query", "line"), documented_queries())
def test_the_cli_opens_the_published_file_and_agrees_with_python(
    query, line, duckdb_cli, reader_folder
):
    database = "warehouse/warehouse.duckdb"
    by_cli, by_python = reader_folder / "cli.csv", reader_folder / "python.csv"
    result = subprocess.run(
        [str(duckdb_cli), "-readonly", database, "-c", copy_sql(query, by_cli)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and not result.stderr, (
        f"DuckDB CLI {cli_version(duckdb_cli)} could not run docs/queries.md:{line} on the "
        f"published warehouse:\n{result.stdout}{result.stderr}"
    )
    with duckdb.connect(database, read_only=True) as con:
        con.execute(copy_sql(query, by_python))
    lines = by_python.read_text(encoding="utf-8").splitlines()
    assert len(lines) > 1, f"docs/queries.md:{line} returned no rows"
    assert by_cli.read_bytes() == by_python.read_bytes()


@pytest.mark.parametrize(("code", "line"), shell_examples())
def test_the_shell_examples_run_with_the_cli(code, line, duckdb_cli, reader_folder):
    path = f"{duckdb_cli.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", code],
        cwd=reader_folder,
        env=dict(os.environ, PATH=path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and not result.stderr, (
        f"the shell block at docs/queries.md:{line} failed:\n{result.stdout}{result.stderr}"
    )
    assert len(result.stdout.splitlines()) > 1, f"docs/queries.md:{line} printed no rows"


@pytest.mark.parametrize("setting", [None, STORAGE_VERSION])
def test_the_storage_version_is_what_lets_the_cli_read_the_file(setting, duckdb_cli, tmp_path):
    """Why the pipeline pins STORAGE_VERSION: DuckDB 2's own format is refused by the 1.x CLI
    (and by the lake's DuckDB 1.5.5, pipeline/lake_process.py); the published file says v1.4.0."""
    database = tmp_path / "w.duckdb"
    config = {"storage_compatibility_version": setting} if setting else {}
    with duckdb.connect(str(database), config=config) as con:
        con.execute("CREATE TABLE t AS SELECT 42 AS answer")
    result = subprocess.run(
        [str(duckdb_cli), "-readonly", str(database), "-csv", "-c", "SELECT answer FROM t"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if setting:
        assert result.returncode == 0 and result.stdout.split() == ["answer", "42"], result.stderr
    else:
        assert result.returncode != 0 and "created with a newer version" in result.stderr
    with duckdb.connect(str(database), read_only=True) as con:
        tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'w'")
        written = tags.fetchone()[0]["storage_version"]
    assert written.startswith(setting or "v"), written  # v1.4.0+ with the setting
