"""`make dev` on a busy port stops at once, before starting Dagster, naming the port and the
`DEV_PORT` that chooses another; a bad setting stops it the same way. The real target, with the
overrides tests/test_dev_ui.py uses (this interpreter's venv, a stamp newer than the locks, a
DAGSTER_HOME of the test's own)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time

import pytest

from pipeline.settings import REPO_ROOT, SETTINGS

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def make_dev(tmp_path, port, **env_settings: str) -> tuple[subprocess.CompletedProcess, float]:
    stamp = tmp_path / "runtime-stamp"
    stamp.touch()
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env |= {"PIPELINE_WAREHOUSE_DIR": str(tmp_path / "warehouse"), **env_settings}
    overrides = [f"VENV={sys.prefix}", f"RUNTIME={stamp}", f"DAGSTER_HOME={tmp_path / 'home'}"]
    started = time.monotonic()
    result = subprocess.run(
        ["make", "--no-print-directory", "dev", f"DEV_PORT={port}", *overrides],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,  # `dagster dev` would run until stopped
        start_new_session=True,
    )
    return result, time.monotonic() - started


@pytest.mark.parametrize("listening", [True, False], ids=["listening", "bound"])
def test_a_busy_port_stops_make_dev_at_once_and_suggests_dev_port(tmp_path, listening):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        if listening:
            taken.listen()
        port = taken.getsockname()[1]
        result, seconds = make_dev(tmp_path, port)
    assert result.returncode == 2 and seconds < 10
    (said,) = [line for line in result.stderr.splitlines() if not line.startswith("make: ***")]
    assert said.startswith(
        f"DEV_PORT={port}: port {port} on 127.0.0.1 is in use; choose another: make dev DEV_PORT="
    )
    free = int(said.rsplit("=", 1)[1])
    with socket.socket() as check:  # the port suggested is free
        check.bind(("127.0.0.1", free))
    assert "Serving" not in result.stdout + result.stderr and "dagster" not in result.stdout


def test_a_port_that_is_not_one_is_refused(tmp_path):
    result, _ = make_dev(tmp_path, "abc")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        f"DEV_PORT='abc': not a port number; allowed: {SETTINGS['DEV_PORT']}"
    )


def test_a_bad_setting_stops_make_dev_before_dagster(tmp_path):
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    result, seconds = make_dev(tmp_path, port, PIPELINE_KEEP_RELEASES="0")
    assert result.returncode == 2 and seconds < 10
    assert result.stderr.splitlines()[0] == (
        f"PIPELINE_KEEP_RELEASES='0': less than 1; allowed: {SETTINGS['PIPELINE_KEEP_RELEASES']}"
    )
    assert not (tmp_path / "warehouse").exists()
