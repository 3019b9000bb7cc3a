"""Dagster entry point: collects the assets, checks, job, schedule, sensor and resources.
Adding an asset means adding it under defs/, never editing this file's logic."""

from __future__ import annotations

import dagster as dg

from pipeline.defs import assets as asset_modules
from pipeline.defs.jobs import raw_files_changed, refresh_job, weekly_refresh_schedule
from pipeline.defs.resources import default_resources

ALL_ASSETS = dg.load_assets_from_package_module(asset_modules)

defs = dg.Definitions(
    assets=ALL_ASSETS,
    jobs=[refresh_job],
    schedules=[weekly_refresh_schedule],
    sensors=[raw_files_changed],
    resources=default_resources(),
)
