"""Promises of the README's "Guarantees" section that no other module covers: readers never
block a refresh nor see a half-built state (that the UI listens on localhost only is tested
on the real `make dev`, in tests/test_dev_ui.py)."""

from __future__ import annotations

import subprocess
import sys

import duckdb

from tests.harness import Run, edit_csv, materialize

QUERY = "SELECT source_title FROM marts.funding WHERE claim_id = 'uzb_bilateral_eeas'"
TITLE = "EU projects in Uzbekistan"
# Another process holding a READ-WRITE connection (the duckdb CLI's default) while it waits.
HOLDER = f"""
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print(con.execute("{QUERY}").fetchall()[0][0], flush=True)
sys.stdin.readline()
print(con.execute("{QUERY}").fetchall()[0][0], flush=True)
"""


def retitle(run: Run, current: str, title: str) -> Run:
    """Change the title a reader watches, and refresh into the same warehouse."""
    edit_csv(run.raw_dir / "reference" / "sources.csv", f",{current},", f",{title},")
    return materialize(run.raw_dir, run.warehouse_dir.parent)


def test_a_read_only_reader_neither_blocks_a_refresh_nor_sees_it_half_built(published):
    db = str(published.layout.published_db)
    with duckdb.connect(db, read_only=True) as reader:  # a notebook or a Python reader
        before = reader.execute(QUERY).fetchall()[0][0]
        assert retitle(published, before, f"{TITLE} (revised)").result.success
        assert reader.execute(QUERY).fetchall()[0][0] == before  # a whole, old state
    with duckdb.connect(db, read_only=True) as fresh:  # a reader opening now: the new state
        assert fresh.execute(QUERY).fetchall()[0][0] == f"{TITLE} (revised)"


def test_a_read_write_cli_session_does_not_block_a_refresh(published):
    db = str(published.layout.published_db)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, db], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    before = holder.stdout.readline().strip()
    assert before.startswith(TITLE)
    # The CLI's write lock is on the old release's file, not on the new build.
    assert retitle(published, before, f"{TITLE} (second revision)").result.success
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == before
    holder.wait(timeout=30)
    with duckdb.connect(db, read_only=True) as fresh:
        assert fresh.execute(QUERY).fetchall()[0][0] == f"{TITLE} (second revision)"
