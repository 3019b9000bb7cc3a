"""The refresh job, its weekly schedule and the sensor that refreshes when raw/ changes.

Belongs here: job, schedule and sensor definitions. Stays out: assets.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg

from pipeline import release
from pipeline.defs.resources import RawFilesResource, WarehouseResource
from pipeline.defs.versions import code_versions_of
from pipeline.transforms.inputs import current_inputs

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


def refresh_reasons(
    raw_dir: Path, warehouse_dir: Path, asset_graph
) -> tuple[list[str], dict[str, str]]:
    """What differs from the published release: changed inputs and changed code versions
    (empty: a refresh would recompute nothing). Also returns the current inputs."""
    inputs = current_inputs(raw_dir)
    manifest = release.read_manifest(release.WarehouseLayout(warehouse_dir).current_release())
    published_inputs = manifest.get("inputs", {})
    changed = [f"input {k}" for k in sorted(inputs.keys() | published_inputs.keys())
               if inputs.get(k) != published_inputs.get(k)]  # fmt: skip
    versions, published_versions = code_versions_of(asset_graph), manifest.get("code_versions", {})
    changed += [f"code of {k}" for k in sorted(versions.keys() | published_versions.keys())
                if versions.get(k) != published_versions.get(k)]  # fmt: skip
    return changed, inputs


@dg.sensor(
    name="raw_files_changed",
    job=refresh_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts a refresh when an input (raw CSV, origin record, long-format source, "
    "WJP pin) or an asset's code version differs from what the published warehouse was built "
    "from; otherwise skips, and says so.",
)
def raw_files_changed(
    context: dg.SensorEvaluationContext, raw_files: RawFilesResource, warehouse: WarehouseResource
):
    changed, inputs = refresh_reasons(
        raw_files.path, Path(warehouse.root), context.repository_def.asset_graph
    )
    if not changed:
        return dg.SkipReason("no input or code changed since the published release: nothing "
                             "to recompute")  # fmt: skip
    state = {"inputs": inputs, "code": code_versions_of(context.repository_def.asset_graph)}
    digest = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()
    context.log.info(f"refresh needed: {'; '.join(changed[:20])}")
    return dg.RunRequest(run_key=digest, tags={"pipeline/inputs_digest": digest[:16]})
