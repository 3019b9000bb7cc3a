"""`make dev` as operators use it: the real target starts the real Dagster UI (webserver and
daemon) on a free port, with its own DAGSTER_HOME and a project of its own (a copy of raw/ and
of the models, an empty warehouse, offline downloads, a sensor interval of 5 s). Read
through the UI's own GraphQL queries:

- it is quiet (none of the notices it used to print), the community dialog and telemetry are
  off, and the project's assets are served;
- a `make run` refresh (the CLI, with a selection) is listed in the job's Runs tab;
- after one SQL file is edited and the location reloaded, exactly that model and what is
  downstream of it are stale;
- with the sensor on, a code edit leads to one refresh and no more: the sensor requests the
  refresh of the stale assets once, then says the release is up to date; a code edit that the
  CLI publishes before the location is reloaded leads to no run, and the sensor says to reload.

Then SIGTERM stops it, and everything it started, though make was started with SIGINT ignored
(as `make dev &` in a script starts it)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pipeline import definitions, lineage
from pipeline.defs.factory import build_definitions
from pipeline.settings import MODELS_DIR, REPO_ROOT
from tests.harness import UNREACHABLE_URL, copy_raw

STARTUP_SECONDS = 120
# `make dev`, a refresh and ten sensor evaluations after each event: a minute and a half, waiting.
pytestmark = pytest.mark.long_waits
LOCATION = definitions.__name__  # `make dev` loads the entry module as a location of its name
REPOSITORY = "__repository__"  # the one repository a Definitions object holds
SENSOR = {"repositoryLocationName": LOCATION, "repositoryName": REPOSITORY}
# The filter of the job's Runs tab, as the UI builds it (RepositoryLabelTag: "<repo>@<location>").
JOB_RUNS = """query JobRuns($filter: RunsFilter) { pipelineRunsOrError(filter: $filter) {
  ... on Runs { results { runId status tags { key value } } } } }"""
STALE = "{ assetNodes { assetKey { path } staleStatus } }"
SENSOR_TICKS = """query Ticks($selector: SensorSelector!) { sensorOrError(sensorSelector: $selector)
  { ... on Sensor { sensorState { status ticks(limit: 200) { status skipReason runIds } } } } }"""
START_SENSOR = """mutation Start($selector: SensorSelector!) {
  startSensor(sensorSelector: $selector) { __typename ... on PythonError { message } } }"""
RELOAD = """mutation Reload($name: String!) {
  reloadRepositoryLocation(repositoryLocationName: $name) { __typename } }"""
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


def graphql(port: int, query: str, **variables) -> dict:
    body = json.dumps({"query": query, "variables": variables}).encode()
    answer = json.loads(get(f"http://127.0.0.1:{port}/graphql", body) or b"{}")
    assert "errors" not in answer, answer
    return answer["data"]


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"make dev exited ({process.returncode}):\n{log.read_text()}")
        if get(url) is not None:
            return
        time.sleep(0.5)
    pytest.fail(f"the UI did not answer within {STARTUP_SECONDS} s:\n{log.read_text()}")


def project_env(base: Path) -> dict[str, str]:
    """The environment of `make dev` and of `make run` for the test's project."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    models = base / "models"
    if not models.is_dir():
        shutil.copytree(MODELS_DIR, models)
        copy_raw(base)
    return env | {
        "DAGSTER_HOME": str(base / "dagster_home"),  # as `make test` runs it: no flags of make
        "PIPELINE_RAW_DIR": str(base / "raw"),
        "PIPELINE_MODELS_DIR": str(models),
        "PIPELINE_WAREHOUSE_DIR": str(base / "warehouse"),
        "PIPELINE_CACHE_DIR": str(base / "cache"),
        "PIPELINE_SENSOR_INTERVAL_SECONDS": "5",  # the daemon evaluates sensors every 5 s at most
        "WJP_SNAPSHOT_URL": UNREACHABLE_URL,
        "VDEM_SNAPSHOT_URL": UNREACHABLE_URL,
    }


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
    env = project_env(base)
    with open(log, "w") as output:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "dev", f"DEV_PORT={port}", *overrides],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=ignore_interrupts,
        )
    try:
        wait_for(f"http://127.0.0.1:{port}/server_info", process, log)
        answer = get(f"http://127.0.0.1:{port}/graphql", json.dumps({"query": QUERY}).encode())
        yield port, json.loads(answer or b"{}"), log, process, base
    finally:
        stop(process)


def ignore_interrupts() -> None:
    """SIGINT and SIGQUIT ignored, as a background job of a non-interactive shell starts (`make
    dev &` in a script, `make test` run so); its children inherit that, and no shell undoes it.
    Ctrl-C or SIGTERM must stop `make dev` all the same."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGQUIT, signal.SIG_IGN)


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
    left = session_processes(session)
    for pid in left:
        STILL_RUNNING.append(_command_line(pid))
        os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)
    return False


STILL_RUNNING: list[str] = []  # what SIGTERM left, for the failure's message


def _command_line(pid: int) -> str:
    """The process's command line and its signal masks (/proc/PID/status: which signals it
    ignores, catches, blocks or has pending)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        command = Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ").strip()[:160]
    except OSError:
        return f"{pid} (gone)"
    masks = [line.replace(":\t", "=") for line in status if line.startswith(SIGNAL_FIELDS)]
    return f"{command} [{' '.join(masks)}]"


SIGNAL_FIELDS = ("State", "SigIgn", "SigCgt", "SigBlk", "SigPnd", "ShdPnd")


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
    _, _, log, _, _ = dev_ui
    output = log.read_text()
    assert "Serving dagster-webserver" in output, output
    found = [notice for notice in NOTICES if notice in output]
    assert not found, f"make dev printed {found}:\n{output}"


def test_no_community_dialog_and_no_telemetry(dev_ui):
    _, answer, _, _, _ = dev_ui
    data = answer["data"]
    assert data["shouldShowNux"] is False
    assert "telemetry:\n  enabled: false" in data["instance"]["info"]


def test_the_ui_serves_the_projects_assets(dev_ui):
    _, answer, _, _, _ = dev_ui
    (entry,) = answer["data"]["workspaceOrError"]["locationEntries"]
    location = entry["locationOrLoadError"]
    assert location["__typename"] == "RepositoryLocation", location
    keys = {
        "/".join(n["assetKey"]["path"]) for r in location["repositories"] for n in r["assetNodes"]
    }
    assert keys == {k.to_user_string() for k in build_definitions().resolve_all_asset_keys()}


def listening_addresses(port: int) -> set[str]:
    """The addresses a socket listens on at `port` (Linux /proc/net/tcp and tcp6: the local
    address in hex, state 0A is LISTEN)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                packed = bytes.fromhex(address)
                words = b"".join(packed[i : i + 4][::-1] for i in range(0, len(packed), 4))
                found.add(
                    socket.inet_ntop(socket.AF_INET if len(words) == 4 else socket.AF_INET6, words)
                )
    return found


def test_the_ui_listens_on_localhost_only(dev_ui):
    """Not on 0.0.0.0 nor on any other interface: unreachable from another machine."""
    port = dev_ui[0]
    assert listening_addresses(port) == {"127.0.0.1"}


def make_run(base: Path, *args: str) -> str:
    """`python -m pipeline.cli refresh` (what `make run` runs) in the project; its output."""
    completed = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "refresh", *args],
        cwd=REPO_ROOT,
        env=project_env(base),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed.stdout


def test_runs_of_make_run_are_listed_under_the_job(dev_ui):
    port, _, _, _, base = dev_ui
    output = make_run(base, "--select", "mart_funding+")
    run_id = output.split("(run ", 1)[1].split(";", 1)[0]
    label = {"key": ".dagster/repository", "value": f"{REPOSITORY}@{LOCATION}"}
    listed = graphql(port, JOB_RUNS, filter={"pipelineName": "refresh", "tags": [label]})
    runs = listed["pipelineRunsOrError"]["results"]
    assert [r["status"] for r in runs if r["runId"].startswith(run_id)] == ["SUCCESS"], runs


def stale_assets(port: int) -> set[str]:
    nodes = graphql(port, STALE)["assetNodes"]
    return {"/".join(n["assetKey"]["path"]) for n in nodes if n["staleStatus"] == "STALE"}


def edit_sql(base: Path, name: str) -> lineage.Graph:
    path = base / "models" / "marts" / f"{name}.sql"
    path.write_text(path.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    return lineage.build_graph(base / "raw", base / "models")


def test_an_edited_sql_file_makes_that_mart_and_its_downstream_stale_and_nothing_else(dev_ui):
    port, _, _, _, base = dev_ui
    assert stale_assets(port) == set()
    graph = edit_sql(base, "funding")
    assert graph_reloaded(port)
    assert stale_assets(port) == {"mart_funding"} | graph.downstream("mart_funding")


def graph_reloaded(port: int) -> bool:
    answer = graphql(port, RELOAD, name=LOCATION)["reloadRepositoryLocation"]
    return answer["__typename"] == "WorkspaceLocationEntry"


def sensor_ticks(port: int) -> list[dict]:
    selector = SENSOR | {"sensorName": "raw_files_changed"}
    return graphql(port, SENSOR_TICKS, selector=selector)["sensorOrError"]["sensorState"]["ticks"]


def wait_for_ticks(port: int, after: int, count: int, seconds: float = 120) -> list[dict]:
    """The sensor's ticks once `count` more than `after` have ended (newest first)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ticks = [t for t in sensor_ticks(port) if t["status"] != "STARTED"]
        if len(ticks) >= after + count:
            return ticks
        time.sleep(0.5)
    pytest.fail(f"fewer than {count} sensor ticks in {seconds} s: {sensor_ticks(port)[:5]}")


def sensor_runs(port: int) -> list[dict]:
    tag = {"key": "dagster/sensor_name", "value": "raw_files_changed"}
    return graphql(port, JOB_RUNS, filter={"tags": [tag]})["pipelineRunsOrError"]["results"]


def test_with_the_sensor_on_a_code_edit_leads_to_one_refresh_and_no_more(dev_ui):
    """The location was reloaded with mart_funding's edit, which no release holds yet."""
    port, _, _, _, base = dev_ui
    selector = SENSOR | {"sensorName": "raw_files_changed"}
    assert graphql(port, START_SENSOR, selector=selector)["startSensor"]["__typename"] == "Sensor"
    deadline = time.monotonic() + 180
    while not (runs := sensor_runs(port)) or runs[0]["status"] not in ("SUCCESS", "FAILURE"):
        assert time.monotonic() < deadline, f"the sensor's refresh did not end: {runs}"
        time.sleep(1)
    assert [r["status"] for r in runs] == ["SUCCESS"], runs
    assert stale_assets(port) == set()
    # The old loop requested a refresh at the first evaluation after each publish; two are
    # watched after each event (the daemon evaluates sensors every 5 s at most).
    ticks = wait_for_ticks(port, len(sensor_ticks(port)), 2)
    assert len(sensor_runs(port)) == 1, "the sensor requested again what was published"
    assert "up to date" in ticks[0]["skipReason"], ticks[0]

    # Edited again, and published by `make run` before the location is reloaded: the location
    # is older than the code, so the sensor asks for a reload and requests nothing.
    edit_sql(base, "timeline")
    make_run(base)
    ticks = wait_for_ticks(port, len(sensor_ticks(port)), 2)
    assert len(sensor_runs(port)) == 1, "the sensor started a refresh of code it cannot build"
    assert "reload" in ticks[0]["skipReason"], ticks[0]
    assert graph_reloaded(port)
    ticks = wait_for_ticks(port, len(sensor_ticks(port)), 1)
    assert len(sensor_runs(port)) == 1 and "up to date" in ticks[0]["skipReason"], ticks[0]


def test_sigterm_stops_it_and_everything_it_started(dev_ui):
    port, _, log, process, _ = dev_ui
    assert stop(process), (
        f"processes of make dev were still running a minute after SIGTERM: {STILL_RUNNING}"
    )
    assert process.returncode is not None
    assert get(f"http://127.0.0.1:{port}/server_info") is None
    # Stopped in order: no code server died first and was restarted (that copy lingered 45 s).
    assert "Restarting the code server" not in log.read_text()
