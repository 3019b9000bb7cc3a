"""Dagster assets, one module per stage: sources, models, exports, report, publish."""
