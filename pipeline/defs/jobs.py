"""The refresh job, its weekly schedule, and the sensor that refreshes when an input or the
code changed since the published release.

Belongs here: job, schedule and sensor definitions. Stays out: assets.
"""

import hashlib
import json

import dagster as dg

from pipeline import release
from pipeline.defs.resources import ProjectResource
from pipeline.transforms.release_state import changes_since

REFRESH_JOB = "refresh"
# One refresh at a time per instance: a second one waits in the queue (dagster.yaml).
REFRESH_TAG = {"pipeline/refresh": "true"}

refresh_job = dg.define_asset_job(
    name=REFRESH_JOB,
    selection=dg.AssetSelection.all(),
    description="Full refresh: every source checked, every model, export and report rebuilt, "
    "then published atomically. Nothing is published if any blocking check fails.",
    executor_def=dg.in_process_executor,
    tags=REFRESH_TAG,
)

weekly_refresh_schedule = dg.ScheduleDefinition(
    name="weekly_refresh",
    job=refresh_job,
    cron_schedule="0 6 * * 1",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Every Monday 06:00 UTC. Off by default: switch it on in the UI.",
)


def sensor_for(code_version: str) -> dg.SensorDefinition:
    @dg.sensor(
        name="raw_files_changed",
        job=refresh_job,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Starts a refresh when a file under raw/ or the code differs from what the "
        "published warehouse was built from, or a download was unavailable in it; otherwise "
        "skips, and says so. Off by default: switch it on in the UI.",
    )
    def raw_files_changed(context: dg.SensorEvaluationContext, project: ProjectResource):
        settings = project.settings()
        manifest = release.current_manifest(release.WarehouseLayout(settings.warehouse_dir))
        reasons = changes_since(manifest, settings.raw_dir, code_version)
        if not reasons:
            return dg.SkipReason(
                "no input or code changed since the published release: nothing to recompute"
            )
        digest = hashlib.sha256(json.dumps([manifest.get("release_id"), reasons]).encode())
        context.log.info(f"refresh needed: {'; '.join(reasons[:20])}")
        return dg.RunRequest(run_key=digest.hexdigest(), tags={"pipeline/reason": reasons[0][:200]})

    return raw_files_changed
