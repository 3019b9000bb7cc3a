"""The definitions factory: the asset graph derived from the specs and the SQL (pipeline/
lineage.py), turned into Dagster assets, job, schedule, sensor and resource. Tests call it with
their own raw folder, models folder and resource; `pipeline/definitions.py` calls it with none.

Belongs here: assembling the Definitions. Stays out: what each asset does (defs/assets/).
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipeline import lineage
from pipeline.defs.assets.exports import exports_asset
from pipeline.defs.assets.models import models_asset
from pipeline.defs.assets.publish import publish_asset
from pipeline.defs.assets.report import report_asset
from pipeline.defs.assets.sources import sources_asset
from pipeline.defs.jobs import refresh_job, sensor_for, weekly_refresh_schedule
from pipeline.defs.resources import ProjectResource
from pipeline.settings import MODELS_DIR, Settings
from pipeline.version import code_version


def build_definitions(
    raw_dir: Path | str | None = None,
    models_dir: Path | str = MODELS_DIR,
    project: ProjectResource | None = None,
) -> dg.Definitions:
    """Definitions for the raw folder `raw_dir` (default: PIPELINE_RAW_DIR or raw/) and the
    models in `models_dir`. The long-format sources are those `raw_dir` declares now; the
    resource reads the same folder at run time."""
    project = project or ProjectResource(raw_dir=str(raw_dir) if raw_dir else None)
    raw = Settings.resolve(raw_dir=raw_dir or project.raw_dir).raw_dir
    graph = lineage.build_graph(raw, Path(models_dir))
    version = code_version(Path(models_dir))
    return dg.Definitions(
        assets=[
            sources_asset(graph, version),
            models_asset(graph, version),
            exports_asset(graph, version),
            report_asset(graph, version),
            publish_asset(graph, version),
        ],
        jobs=[refresh_job],
        schedules=[weekly_refresh_schedule],
        sensors=[sensor_for(version)],
        resources={"project": project},
    )
