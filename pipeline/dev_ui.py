"""`python -m pipeline.dev_ui --port N` (what `make dev` runs): the settings checked, then
`dagster dev` for this project on 127.0.0.1:N, started from DAGSTER_HOME and stopped in order by
Ctrl-C, SIGTERM or SIGHUP, whatever signals the caller ignored.

Belongs here: starting and stopping `dagster dev`. Stays out: the checks themselves
(pipeline/settings/checks.py), the definitions (pipeline/definitions.py).

- `dagster dev` runs in a process group of its own and gets one SIGINT from here, which stops the
  webserver, the daemon and the code server in order. Signalled all at once, the code server's
  child could exit first and be restarted, and that copy lingered 45 s waiting for a heartbeat.
- A process started with SIGINT ignored (a background job of a non-interactive shell, as
  `make dev &` in a script, and some CI runners) passes that on, and a shell cannot undo it.
  `dagster dev` would then ignore SIGINT and, since it gives SIGTERM SIGINT's handler, SIGTERM
  too: nothing would stop it. The handlers installed here are reset to the default in the child.
- Started from DAGSTER_HOME, the folder whose dagster.yaml the instance reads (from the top level,
  `dagster dev` would warn that the top-level copy is not used); `-d` puts the repository on the
  code location's path. `dagster dev` is superseded by `dg dev`, which needs dagster-dg-cli (not
  in the locks; README, "The Dagster UI"), so that one notice is filtered out, by its exact text.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from collections.abc import Sequence

from pipeline.settings import REPO_ROOT, dagster_home
from pipeline.settings.checks import problems

HOST = "127.0.0.1"  # the UI is reachable from this machine only
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
SUPERSEDED = "ignore:Function `dev_command` is superseded:FutureWarning"


def dagster_dev(port: int) -> list[str]:
    """The command line of `dagster dev` for this project."""
    return [
        *(sys.executable, "-W", SUPERSEDED, "-m", "dagster", "dev"),
        *("--host", HOST, "--port", str(port)),
        *("-m", "pipeline.definitions", "-d", str(REPO_ROOT)),
    ]


def run_until_stopped(command: Sequence[str], cwd: str) -> int:
    """Run `command` in a process group of its own; every Ctrl-C, SIGTERM or SIGHUP received
    here meanwhile reaches it as one SIGINT. Its exit status, as a shell gives it (128 + N when
    a signal N ended it)."""
    child: subprocess.Popen | None = None
    received: list[int] = []

    def forward(signum: int, _frame) -> None:
        received.append(signum)
        if child is not None and child.returncode is None:
            os.kill(child.pid, signal.SIGINT)

    previous = {signum: signal.signal(signum, forward) for signum in STOP_SIGNALS}
    try:
        child = subprocess.Popen(command, cwd=cwd, process_group=0)
        if received:  # a signal came before the child had a pid
            os.kill(child.pid, signal.SIGINT)
        status = child.wait()  # retried after each handler (PEP 475)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - status if status < 0 else status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.dev_ui", description=__doc__)
    parser.add_argument("--port", required=True, help="the UI's port on 127.0.0.1")
    args = parser.parse_args(argv)
    lines = problems(needs_dagster_home=True, dev_port=args.port)
    if lines:  # every bad setting and a busy port, one line each, before anything starts
        print(*lines, sep="\n", file=sys.stderr)
        return 2
    return run_until_stopped(dagster_dev(int(args.port)), str(dagster_home()))


if __name__ == "__main__":
    sys.exit(main())
