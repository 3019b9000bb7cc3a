"""The Dagster definitions as the UI and the daemon see them: the CLI validates the entry
point, and the schedule is off until a user switches it on."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg

from pipeline.defs.factory import build_definitions
from pipeline.settings import REPO_ROOT


def test_dagster_definitions_validate_cli_passes(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    completed = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "pipeline.definitions"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_weekly_schedule_and_the_sensor_are_off_by_default():
    defs = build_definitions()
    schedule = defs.resolve_schedule_def("weekly_refresh")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.cron_schedule == "0 6 * * 1"
    assert schedule.job_name == "refresh"
    sensor = defs.get_sensor_def("raw_files_changed")
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
