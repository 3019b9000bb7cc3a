"""The launcher of `make dev` (pipeline/dev_ui.py) at unit level, with real processes: a child
stands in for `dagster dev`. Whatever the launcher's caller ignores, SIGTERM, SIGHUP or Ctrl-C
reach the child as one SIGINT, in a process group of its own, and the launcher exits with its
status. The real `dagster dev` is stopped so in tests/test_dev_ui.py."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.settings import REPO_ROOT

# The stand-in: says its process group, then waits for a KeyboardInterrupt (Python's SIGINT
# handler, installed only when SIGINT is not ignored at its start) and exits 3 on one.
CHILD = """
import os, sys, time
from pathlib import Path
Path(sys.argv[1]).write_text(str(os.getpgrp()))
try:
    time.sleep(60)
except KeyboardInterrupt:
    sys.exit(3)
"""
# The launcher as `make dev &` from a script starts it: SIGINT and SIGQUIT ignored.
LAUNCHER = """
import signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGQUIT, signal.SIG_IGN)
from pipeline.dev_ui import run_until_stopped
sys.exit(run_until_stopped([sys.executable, "-c", sys.argv[1], sys.argv[2]], "."))
"""


@pytest.mark.parametrize("sent", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_stop_signal_reaches_the_child_as_sigint_though_the_caller_ignores_it(tmp_path, sent):
    said = tmp_path / "pgrp"
    launcher = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, CHILD, str(said)], cwd=REPO_ROOT, env=os.environ
    )
    deadline = time.monotonic() + 30
    while not said.exists() or not said.read_text():
        assert time.monotonic() < deadline and launcher.poll() is None, "the child never started"
        time.sleep(0.05)
    child_group = int(said.read_text())
    assert child_group not in (os.getpgrp(), launcher.pid)  # a group of its own
    launcher.send_signal(sent)
    assert launcher.wait(timeout=30) == 3  # the child's own status, after its KeyboardInterrupt
    with pytest.raises(ProcessLookupError):  # and nothing of the child's group is left
        os.killpg(child_group, 0)


def test_a_child_ended_by_a_signal_gives_the_shells_status(tmp_path):
    """128 + N, as a shell reports a command that signal N ended (SIGKILL: 137)."""
    from pipeline.dev_ui import run_until_stopped

    script = tmp_path / "kill itself.py"
    script.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    assert run_until_stopped([sys.executable, str(Path(script))], str(tmp_path)) == 137
