"""Pure functions and SQL runners with no Dagster import: what the unit tests call."""
