"""The definitions factory: the asset graph derived from the specs and the SQL (pipeline/
lineage.py), each asset's code version computed from its code (pipeline/asset_versions.py),
turned into the one subsettable refresh step, the job, the schedule, the sensor and the
resource. Tests call it with their own raw folder, models folder and resource;
`pipeline/definitions.py` calls it with none.

Belongs here: assembling the Definitions. Stays out: what the assets are (defs/assets/), when
a refresh is requested (defs/automation.py).
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipeline import lineage
from pipeline.asset_versions import asset_versions
from pipeline.defs.assets.refresh import refresh_asset
from pipeline.defs.automation import (
    Loaded,
    refresh_job,
    refresh_sensor,
    weekly_refresh_schedule,
)
from pipeline.defs.notes import NOTES, notes_logger
from pipeline.defs.resources import ProjectResource
from pipeline.settings import Settings


def build_definitions(
    raw_dir: Path | str | None = None,
    models_dir: Path | str | None = None,
    project: ProjectResource | None = None,
) -> dg.Definitions:
    """Definitions for the raw folder `raw_dir` (default: PIPELINE_RAW_DIR or raw/) and the
    models in `models_dir` (default: PIPELINE_MODELS_DIR or pipeline/sql/). The long-format
    sources are those `raw_dir` declares now; the resource reads the same folder at run time."""
    project = project or ProjectResource(raw_dir=str(raw_dir) if raw_dir else None)
    settings = Settings.resolve(raw_dir=raw_dir or project.raw_dir)
    models = Path(models_dir) if models_dir else settings.models_dir
    graph = lineage.build_graph(settings.raw_dir, models)
    versions = asset_versions(graph)
    loaded = Loaded(graph, versions, models)
    return dg.Definitions(
        assets=[refresh_asset(graph, versions, settings.raw_dir, models)],
        jobs=[refresh_job],
        schedules=[weekly_refresh_schedule(loaded)],
        sensors=[refresh_sensor(loaded, settings.sensor_interval_seconds)],
        resources={"project": project},
        loggers={NOTES: notes_logger},
    )
