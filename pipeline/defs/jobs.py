"""The refresh job, its weekly schedule and the sensor that refreshes when raw/ changes.

Belongs here: job, schedule and sensor definitions. Stays out: assets.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg

from pipeline import release
from pipeline.defs.resources import RawFilesResource, WarehouseResource
from pipeline.schemas.raw import RAW_TABLES
from pipeline.transforms.raw_io import tracked_checksums

REFRESH_JOB = "refresh"

refresh_job = dg.define_asset_job(
    name=REFRESH_JOB,
    selection=dg.AssetSelection.all(),
    description="Full refresh: every raw file checked, every mart, export and report rebuilt, "
    "then published atomically. Nothing is published if any blocking check fails.",
    executor_def=dg.in_process_executor,
    # One refresh at a time per instance: a second one waits in the queue (see dagster.yaml).
    tags={"pipeline/refresh": "true"},
)

weekly_refresh_schedule = dg.ScheduleDefinition(
    name="weekly_refresh",
    job=refresh_job,
    cron_schedule="0 6 * * 1",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every Monday 06:00 UTC. Off by default: switch it on in the UI.",
)


def raw_changes(raw_dir: Path, warehouse_dir: Path) -> tuple[dict, dict]:
    """(current checksums of the raw files, checksums the published release was built from)."""
    current = tracked_checksums(RAW_TABLES, raw_dir)
    layout = release.WarehouseLayout(warehouse_dir)
    published = release.read_manifest(layout.current_release()).get("raw_files", {})
    return current, published


@dg.sensor(
    name="raw_files_changed",
    job=refresh_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a refresh when a raw CSV or origin record differs from what the "
    "published warehouse was built from.",
)
def raw_files_changed(
    context: dg.SensorEvaluationContext, raw_files: RawFilesResource, warehouse: WarehouseResource
):
    current, published = raw_changes(raw_files.path, Path(warehouse.root))
    if current == published:
        return dg.SkipReason("raw/ matches the published warehouse")
    changed = sorted(k for k in current.keys() | published.keys()
                     if current.get(k) != published.get(k))  # fmt: skip
    digest = hashlib.sha256(json.dumps(current, sort_keys=True).encode()).hexdigest()
    context.log.info(f"raw files changed: {', '.join(changed)}")
    return dg.RunRequest(run_key=digest, tags={"pipeline/raw_digest": digest[:16]})
