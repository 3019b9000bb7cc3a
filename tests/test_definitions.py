"""The Dagster definitions as the UI and the daemon see them: the entry point loads and
validates, and the schedule is off until a user switches it on."""

from __future__ import annotations

import dagster as dg

from pipeline import definitions
from pipeline.defs.factory import build_definitions


def test_the_entry_point_loads_and_validates():
    """What `dagster definitions validate -m pipeline.definitions` checks, in process: the entry
    point loads and its definitions validate. The real `dagster dev` loads the same entry point
    in its code server and serves every asset (tests/test_dev_ui.py)."""
    loaded = definitions.defs()
    dg.Definitions.validate_loadable(loaded)
    assert loaded.resolve_job_def("refresh") is not None


def test_weekly_schedule_and_the_sensor_are_off_by_default():
    defs = build_definitions()
    schedule = defs.resolve_schedule_def("weekly_refresh")
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED
    assert schedule.cron_schedule == "0 6 * * 1"
    assert schedule.job_name == "refresh"
    sensor = defs.get_sensor_def("raw_files_changed")
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
