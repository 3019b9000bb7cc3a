"""Dagster entry point (`dagster dev -m pipeline.definitions`). The assets come from the
factory, which derives them from the specs and the SQL: adding an asset never edits this file."""

import dagster as dg

from pipeline.defs.factory import build_definitions


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions()
