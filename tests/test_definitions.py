"""The Dagster definitions as the UI and the daemon see them: CLI validation, the schedule,
the sensor against a real published warehouse."""

from __future__ import annotations

import os
import subprocess
import sys

import dagster as dg

from pipeline import paths
from pipeline.definitions import defs
from pipeline.defs.jobs import raw_files_changed
from pipeline.defs.resources import RawFilesResource, WarehouseResource
from tests.conftest import edit_csv


def test_dagster_definitions_validate_cli_passes(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    completed = subprocess.run(
        [sys.executable, "-m", "dagster", "definitions", "validate", "-m", "pipeline.definitions"],
        cwd=paths.REPO_ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_weekly_schedule_is_off_by_default():
    schedule = defs.resolve_schedule_def("weekly_refresh")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.cron_schedule == "0 6 * * 1"
    assert schedule.job_name == "refresh"


def _evaluate_sensor(raw_dir, warehouse_dir):
    context = dg.build_sensor_context(
        definitions=defs,
        resources={
            "raw_files": RawFilesResource(root=str(raw_dir)),
            "warehouse": WarehouseResource(root=str(warehouse_dir)),
        },
    )
    return raw_files_changed(context)


def test_sensor_requests_a_refresh_before_the_first_publish(tmp_path, raw_dir):
    result = _evaluate_sensor(raw_dir, tmp_path / "empty_warehouse")
    assert isinstance(result, dg.RunRequest)


def test_sensor_skips_when_raw_matches_the_published_release_and_fires_on_a_change(published):
    unchanged = _evaluate_sensor(published.raw_dir, published.warehouse_dir)
    assert isinstance(unchanged, dg.SkipReason)
    edit_csv(published.raw_dir / "reference" / "sources.csv", "24.kg", "24.kg (Bishkek)")
    changed = _evaluate_sensor(published.raw_dir, published.warehouse_dir)
    assert isinstance(changed, dg.RunRequest)
    again = _evaluate_sensor(published.raw_dir, published.warehouse_dir)
    assert again.run_key == changed.run_key  # the same change never starts two refreshes
