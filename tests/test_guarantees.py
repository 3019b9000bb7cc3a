"""Promises the README's "Guarantees" section makes that no other test module covers: readers
never block a refresh nor see a half-built state, the UI binds to localhost, and nothing is
written outside the warehouse directory unless the user says so."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import duckdb

from pipeline import paths
from tests.conftest import edit_csv, materialize_into


def _funding_title(con) -> str:
    return con.execute(
        "SELECT source_title FROM marts.funding WHERE claim_id = 'uzb_bilateral_eeas'"
    ).fetchall()[0][0]


# Another process holding a READ-WRITE connection (the duckdb CLI's default) while it waits.
HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
query = "SELECT source_title FROM marts.funding WHERE claim_id = 'uzb_bilateral_eeas'"
print(con.execute(query).fetchall()[0][0], flush=True)
sys.stdin.readline()
print(con.execute(query).fetchall()[0][0], flush=True)
"""


def _change_a_source_title(published) -> None:
    edit_csv(published.raw_dir / "reference" / "sources.csv",
             "EU projects in Uzbekistan", "EU projects in Uzbekistan (revised)")  # fmt: skip


def test_read_only_readers_neither_block_a_refresh_nor_see_it_half_built(published):
    db = str(published.layout.published_db)
    reader = duckdb.connect(db, read_only=True)  # a notebook or a Python reader
    before = _funding_title(reader)
    _change_a_source_title(published)
    run = materialize_into(published.raw_dir, published.warehouse_dir)
    assert run.result.success  # the open reader did not block it
    assert _funding_title(reader) == before  # it keeps a whole, consistent old state
    reader.close()
    with duckdb.connect(db, read_only=True) as fresh:  # a reader opening now: the new state
        assert _funding_title(fresh) == "EU projects in Uzbekistan (revised)"


def test_a_read_write_cli_session_does_not_block_a_refresh(published):
    db = str(published.layout.published_db)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, db], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    before = holder.stdout.readline().strip()
    assert before == "EU projects in Uzbekistan"
    _change_a_source_title(published)
    run = materialize_into(published.raw_dir, published.warehouse_dir)
    assert run.result.success  # the CLI's write lock is on the old file, not on the new build
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == before
    holder.wait(timeout=30)
    with duckdb.connect(db, read_only=True) as fresh:
        assert _funding_title(fresh) == "EU projects in Uzbekistan (revised)"


def test_the_ui_binds_to_localhost_only():
    makefile = (paths.REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    dev = re.search(r"^dev:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE).group(1)
    assert "dagster dev" in dev and "--host 127.0.0.1" in dev


def test_nothing_is_written_outside_the_warehouse_directory(tmp_path):
    """A real CLI refresh with only PIPELINE_WAREHOUSE_DIR set: every file it writes (database,
    exports, reports, download cache) is inside that folder."""
    warehouse = tmp_path / "warehouse"
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((paths.REPO_ROOT / "dagster.yaml").read_text())
    repo_before = _repo_files()
    env = {**os.environ, "PIPELINE_WAREHOUSE_DIR": str(warehouse), "DAGSTER_HOME": str(home),
           "WJP_SNAPSHOT_URL": "http://127.0.0.1:9/roli.json"}  # fmt: skip
    env.pop("PIPELINE_CACHE_DIR", None)
    completed = subprocess.run([sys.executable, "-m", "pipeline.cli", "refresh"],
                               cwd=paths.REPO_ROOT, env=env, capture_output=True, text=True,
                               timeout=300)  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert _repo_files() == repo_before
    written = {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {"warehouse", "dagster_home"}
    assert (warehouse / "warehouse.duckdb").exists()


def _repo_files() -> set[str]:
    """Files in the repository outside ignored build folders (git's own view)."""
    command = ["git", "ls-files", "--others", "--cached", "--exclude-standard"]
    listed = subprocess.run(
        command, cwd=paths.REPO_ROOT, capture_output=True, text=True, check=True
    )
    return set(listed.stdout.splitlines())
