"""Concurrency: two refreshes started at the same moment, in two ways. Nothing is corrupted;
one builds while the other waits, for the warehouse's refresh lock (two CLI refreshes) or in
Dagster's own run queue (a tag concurrency limit), and says so."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import dagster as dg

from pipeline.settings import REPO_ROOT
from tests.reliability.cli_harness import make_sandbox, published_state


def test_two_cli_refreshes_at_the_same_moment_one_waits_then_both_publish_a_whole_state(
    tmp_path,
):
    sandbox = make_sandbox(tmp_path)
    # --force: each publishes, even when the other published the same inputs first.
    first, second = sandbox.start_refresh("--force"), sandbox.start_refresh("--force")
    outputs = [p.communicate(timeout=300)[0] for p in (first, second)]
    assert (first.returncode, second.returncode) == (0, 0), outputs
    waited = [o for o in outputs if "Waiting for " in o]
    assert len(waited) == 1, outputs
    published_state(sandbox.layout)  # DB, exports, report and manifest agree
    # Two releases, one after the other: the second built on the first.
    assert len(sandbox.layout.releases()) == 2
    manifests = [json.loads((r / "manifest.json").read_text()) for r in sandbox.layout.releases()]
    assert manifests[1]["previous_release"] == manifests[0]["release_id"]
    assert not list(sandbox.layout.root.glob(".*.tmp"))


def test_schedule_and_manual_run_in_one_instance_are_queued_one_at_a_time(tmp_path, monkeypatch):
    sandbox = make_sandbox(tmp_path)
    env = sandbox.env()
    # This process reads the sandbox's instance too; its storage location follows DAGSTER_HOME
    # (dagster.postgres.yaml, appended by `make instance`).
    monkeypatch.setenv("DAGSTER_HOME", env["DAGSTER_HOME"])
    _runs(env["DAGSTER_HOME"])  # create the instance's storage once, before two processes race
    daemon = subprocess.Popen(
        [sys.executable, "-m", "dagster._daemon", "run", "-m", "pipeline.definitions"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        schedule_tags = {"dagster/schedule_name": "weekly_refresh"}
        _launch(env, schedule_tags)  # as the schedule's tick would
        _launch(env, {})  # a manual run from the UI or CLI
        runs = _wait_for_runs(env, expected=2, timeout=240)
    finally:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)
    assert all(r["status"] == "SUCCESS" for r in runs), runs
    intervals = sorted((r["start"], r["end"]) for r in runs)
    for (_, end), (start, _) in zip(intervals, intervals[1:], strict=False):
        assert start >= end, f"two refreshes overlapped: {intervals}"
    published_state(sandbox.layout)


def _launch(env: dict, tags: dict) -> None:
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "dagster",
            "job",
            "launch",
            "-m",
            "pipeline.definitions",
            "-j",
            "refresh",
            "--tags",
            json.dumps(tags),
        ],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def _wait_for_runs(env: dict, expected: int, timeout: float) -> list[dict]:
    """Runs of the refresh job in the sandbox's instance once all have finished. The sensor
    may add one more refresh of its own (the sandbox starts unpublished); it is queued too."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        runs = _runs(env["DAGSTER_HOME"])
        finished = [r for r in runs if r["status"] in ("SUCCESS", "FAILURE", "CANCELED")]
        if len(runs) >= expected and len(finished) == len(runs):
            return runs
        time.sleep(1)
    raise AssertionError(f"runs did not finish in {timeout}s: {_runs(env['DAGSTER_HOME'])}")


def _runs(home: str) -> list[dict]:
    instance = dg.DagsterInstance.from_config(home)
    try:
        result = []
        for run in instance.get_runs():
            stats = instance.get_run_stats(run.run_id)
            result.append(
                {
                    "id": run.run_id,
                    "status": run.status.value,
                    "start": stats.start_time or 0,
                    "end": stats.end_time or 0,
                }
            )
        return result
    finally:
        instance.dispose()
