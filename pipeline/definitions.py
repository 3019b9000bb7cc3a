"""Dagster entry point (`dagster dev -m pipeline.definitions`). The assets come from the
factory, which derives them from the specs and the SQL: adding an asset never edits this file.
Bad settings refuse the load, one line each (pipeline/settings/), before anything is built."""

import dagster as dg

from pipeline.defs.factory import build_definitions
from pipeline.settings import check


@dg.definitions
def defs() -> dg.Definitions:
    check()  # SettingsError: every bad setting, one line each
    return build_definitions()
