"""The refresh job, its weekly schedule and the `raw_files_changed` sensor, and the one decision
both make: is a refresh needed, and of what?

They request a run only when the published release is out of date with the raw files or the
code, judged by the code location itself: it compares the code versions it loaded with those of
the code on disk now, and when they differ (the code was edited, and perhaps a refresh from the
CLI already published it) it asks for a reload and requests nothing, so it never loops on code
it cannot build. A download unavailable in the release is retried by the schedule, and by the
sensor once the release is RETRY_UNAVAILABLE_HOURS old, then once per RETRY_UNAVAILABLE_HOURS;
those runs publish only if the data changes (a download still unavailable publishes nothing).
Nothing is requested while a refresh is queued or running (it reads the files as they are when
it starts; the next evaluation looks again), and a request for the same release and the same
reasons is made once (its run key; for a retry, once per window).

Belongs here: the job, the schedule, the sensor and that decision. Stays out: what a refresh
builds (pipeline/plan.py).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipeline import lineage
from pipeline.asset_versions import asset_versions
from pipeline.defs.assets.refresh import IF_CHANGED_TAG
from pipeline.defs.resources import ProjectResource
from pipeline.plan import RETRY, current_inputs, stale
from pipeline.store import open_store
from pipeline.version import digest

REFRESH_JOB = "refresh"
# One refresh at a time per instance: a second one waits in the queue (dagster.yaml).
REFRESH_TAG = {"pipeline/refresh": "true"}
REASON_TAG = "pipeline/reason"
RETRY_UNAVAILABLE_HOURS = 6
IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]

# The job selects the assets; each asset's checks run inside the step that builds it and are
# reported with it (not planned before the run: docs/materialization.md, "Why one step").
refresh_job = dg.define_asset_job(
    name=REFRESH_JOB,
    selection=dg.AssetSelection.all() - dg.AssetSelection.all_asset_checks(),
    description="Refresh: every source checked, every model, export and report rebuilt, then "
    "published atomically; with an asset selection, what it needs. Every asset's checks run "
    "with it. Nothing is published if any blocking check fails.",
    executor_def=dg.in_process_executor,
    tags=REFRESH_TAG,
)


@dataclass(frozen=True)
class Loaded:
    """What this code location loaded: its graph and code versions, and its models folder."""

    graph: lineage.Graph
    versions: dict[str, str]
    models_dir: Path


def reload_needed(loaded: Loaded, raw_dir: Path) -> str:
    """Why the loaded definitions cannot build the code and sources on disk now, or ''."""
    graph = lineage.build_graph(raw_dir, loaded.models_dir)
    added = sorted(set(graph.deps) - set(loaded.graph.deps))
    removed = sorted(set(loaded.graph.deps) - set(graph.deps))
    if added or removed:
        return f"assets added on disk: {added or 'none'}; removed: {removed or 'none'}"
    versions = asset_versions(graph)
    changed = sorted(k for k in versions if versions[k] != loaded.versions.get(k))
    if changed:
        return f"the code of {len(changed)} assets changed on disk ({', '.join(changed[:5])})"
    return ""


def refresh_request(
    loaded: Loaded, project: ProjectResource, instance: dg.DagsterInstance, retry_after_hours
) -> dg.RunRequest | dg.SkipReason:
    """A run of what is out of date, or why none is needed now."""
    settings = project.settings()
    why_reload = reload_needed(loaded, settings.raw_dir)
    if why_reload:
        return dg.SkipReason(
            f"The code location is older than the code on disk ({why_reload}): reload it "
            "(Deployment > Reload, or restart `make dev`) to build that code. Nothing requested."
        )
    inputs = current_inputs(settings, loaded.graph, loaded.versions)
    manifest = open_store(settings).current_manifest()
    retry = _older_than(manifest.get("release_id", ""), retry_after_hours)
    reasons = stale(loaded.graph, inputs, retry_unavailable=retry)
    if not reasons:
        return dg.SkipReason(
            f"Release {inputs.release_id} is up to date with the raw files and the code: "
            "nothing to recompute."
        )
    in_flight = instance.get_runs(dg.RunsFilter(statuses=IN_FLIGHT), limit=1)
    if in_flight:
        run = in_flight[0]
        return dg.SkipReason(
            f"A refresh is already {run.status.value.lower()} (run {run.run_id[:8]}); it reads "
            "the files as they are when it starts, and the next evaluation looks again."
        )
    roots = sorted(k for k, why in reasons.items() if not why.startswith("reads "))
    words = [f"{k}: {reasons[k]}" for k in roots]
    window = ""
    if retry_after_hours and any(reasons[k] == RETRY for k in roots):
        window = str(int(time.time() // (retry_after_hours * 3600)))  # one retry per window
    return dg.RunRequest(
        run_key=digest([inputs.release_id, *words, window]),
        asset_selection=[dg.AssetKey(k) for k in roots],
        tags={REASON_TAG: "; ".join(words)[:200], IF_CHANGED_TAG: "true"},
    )


def _older_than(release_id: str, hours: float | None) -> bool:
    """Whether a release (its id starts with its UTC time) is older than `hours` (None: any
    age). A clock set back makes a release look new: then it is not retried."""
    if hours is None or not release_id:
        return True
    try:
        published = dt.datetime.strptime(release_id.split("-")[0], "%Y%m%dT%H%M%S%fZ")
    except ValueError:
        return True
    age = dt.datetime.now(dt.UTC).replace(tzinfo=None) - published
    return age > dt.timedelta(hours=hours)


def weekly_refresh_schedule(loaded: Loaded) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="weekly_refresh",
        job=refresh_job,
        cron_schedule="0 6 * * 1",
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.STOPPED,
        description="Every Monday 06:00 UTC: a refresh of what is out of date (a download "
        "unavailable in the release is tried again). Off by default: switch it on in the UI.",
    )
    def weekly_refresh(context: dg.ScheduleEvaluationContext, project: ProjectResource):
        return refresh_request(loaded, project, context.instance, None)

    return weekly_refresh


def refresh_sensor(loaded: Loaded, interval_seconds: int = 30) -> dg.SensorDefinition:
    @dg.sensor(
        name="raw_files_changed",
        job=refresh_job,
        minimum_interval_seconds=interval_seconds,
        default_status=dg.DefaultSensorStatus.STOPPED,
        description="Starts a refresh of what is out of date when a file under raw/ or the code "
        "differs from what the published release was built from; otherwise skips, and says "
        "why. Off by default: switch it on in the UI.",
    )
    def raw_files_changed(context: dg.SensorEvaluationContext, project: ProjectResource):
        return refresh_request(loaded, project, context.instance, RETRY_UNAVAILABLE_HOURS)

    return raw_files_changed
