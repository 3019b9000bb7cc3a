"""Dagster objects only: assets, checks, resources, jobs, schedules and sensors."""
