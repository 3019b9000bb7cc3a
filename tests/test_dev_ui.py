"""`make dev` is quiet: the real target starts the real Dagster UI (webserver and daemon) on a
free port, with its own DAGSTER_HOME; once it answers over HTTP its output holds none of the
notices it used to print (the top-level dagster.yaml "will not be used"; `dagster dev` is
superseded by `dg dev`), the first-visit community dialog (NUX) is off and telemetry is off, and
the project's assets are served. Then SIGTERM stops it, and everything it started."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pipeline.defs.factory import build_definitions
from pipeline.settings import REPO_ROOT

STARTUP_SECONDS = 120
# The notices as Dagster prints them (make's echo of the dev recipe quotes part of the second).
NOTICES = (
    "The dagster.yaml file will not be used",
    "SupersessionWarning",
    "is superseded and its usage is discouraged",
    "Use 'dg dev' instead",
)
QUERY = """{
  shouldShowNux
  instance { info }
  workspaceOrError { ... on Workspace { locationEntries {
    locationOrLoadError { __typename ... on RepositoryLocation { repositories {
      assetNodes { assetKey { path } } } } } } } }
}"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, data: bytes | None = None) -> bytes | None:
    headers = {"Content-Type": "application/json"}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data, headers), timeout=10) as r:
            return r.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make dev exited ({process.returncode}):\n{log.read_text()}")
        if get(url) is not None:
            return
        time.sleep(0.5)
    pytest.fail(f"the UI did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def dev_ui(tmp_path_factory):
    """`make dev` as a user runs it, on a free port, in a session of its own (so that SIGTERM
    reaches make, `dagster dev`, the webserver and the daemon). VENV is this interpreter's
    environment; RUNTIME names a stamp newer than the locks, so make installs nothing."""
    base = tmp_path_factory.mktemp("dev_ui")
    home, log, stamp = base / "dagster_home", base / "make_dev.log", base / "runtime-stamp"
    stamp.touch()
    port = free_port()
    overrides = [f"VENV={sys.prefix}", f"RUNTIME={stamp}", f"DAGSTER_HOME={home}"]
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    env["DAGSTER_HOME"] = str(home)  # as `make test` runs it: no flags of the outer make
    with open(log, "w") as output:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "dev", f"DEV_PORT={port}", *overrides],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/server_info", process, log)
        answer = get(f"http://127.0.0.1:{port}/graphql", json.dumps({"query": QUERY}).encode())
        yield port, json.loads(answer or b"{}"), log, process
    finally:
        stop(process)


def stop(process: subprocess.Popen, seconds: float = 60) -> bool:
    """SIGTERM to make's process group, as a terminal's Ctrl-C or `kill -- -PGID` sends it, then
    wait until no process of the session is left (`dagster dev` runs in a group of its own);
    SIGKILL what is still there after `seconds`. True when SIGTERM alone was enough."""
    session = process.pid
    if not session_processes(session):
        return True
    try:
        os.killpg(session, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        process.poll()
        if not session_processes(session):
            return True
        time.sleep(0.2)
    for pid in session_processes(session):
        os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)
    return False


def session_processes(session: int) -> list[int]:
    """Every live process of the session (Linux /proc; field 6 of stat is the session id)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def test_make_dev_prints_none_of_the_old_notices(dev_ui):
    _, _, log, _ = dev_ui
    output = log.read_text()
    assert "Serving dagster-webserver" in output, output
    found = [notice for notice in NOTICES if notice in output]
    assert not found, f"make dev printed {found}:\n{output}"


def test_no_community_dialog_and_no_telemetry(dev_ui):
    _, answer, _, _ = dev_ui
    data = answer["data"]
    assert data["shouldShowNux"] is False
    assert "telemetry:\n  enabled: false" in data["instance"]["info"]


def test_the_ui_serves_the_projects_assets(dev_ui):
    _, answer, _, _ = dev_ui
    (entry,) = answer["data"]["workspaceOrError"]["locationEntries"]
    location = entry["locationOrLoadError"]
    assert location["__typename"] == "RepositoryLocation", location
    keys = {
        "/".join(n["assetKey"]["path"]) for r in location["repositories"] for n in r["assetNodes"]
    }
    assert keys == {k.to_user_string() for k in build_definitions().resolve_all_asset_keys()}


def test_sigterm_stops_it_and_everything_it_started(dev_ui):
    port, _, log, process = dev_ui
    assert stop(process), "processes of make dev were still running a minute after SIGTERM"
    assert process.returncode is not None
    assert get(f"http://127.0.0.1:{port}/server_info") is None
    # Stopped in order: no code server died first and was restarted (that copy lingered 45 s).
    assert "Restarting the code server" not in log.read_text()
