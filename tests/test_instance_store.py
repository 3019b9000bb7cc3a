"""The Dagster instance's store is bookkeeping: when it is corrupt (or full, or unreadable),
`make run` names DAGSTER_HOME and how to reset it safely, in one paragraph without a traceback,
and the warehouse stays as it was."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from pipeline import integrity
from pipeline.settings import REPO_ROOT
from tests.harness import UNREACHABLE_URL, Run


def test_a_corrupt_instance_store_is_named_with_how_to_reset_it(published: Run, tmp_path):
    home = tmp_path / "dagster home"
    (home / "history").mkdir(parents=True)
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    (home / "history" / "runs.db").write_bytes(b"not a database\n" * 100)
    releases = published.layout.releases()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "PIPELINE_RAW_DIR": str(published.raw_dir),
        "PIPELINE_WAREHOUSE_DIR": str(published.warehouse_dir),
        "PIPELINE_CACHE_DIR": str(tmp_path / "cache"),
        "WJP_SNAPSHOT_URL": UNREACHABLE_URL,
        "VDEM_SNAPSHOT_URL": UNREACHABLE_URL,
    }
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "refresh", "--force"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"The Dagster instance store in {home} (DAGSTER_HOME) is unreadable" in done.stderr
    assert f"move {home / 'storage'} and {home / 'history'} aside" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) <= 3, done.stderr
    assert published.layout.releases() == releases
    assert integrity.damage(published.layout.current_release()) == []
