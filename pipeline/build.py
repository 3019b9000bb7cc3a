"""One refresh, with no Dagster: plan what the selection needs (plan.py), build it aside (from
empty, or from a copy of the published release), check it stage by stage, apply the release
guard, and publish atomically; or refuse and publish nothing. Whoever starts it (the Dagster
step of a UI, schedule or sensor run, or the CLI's run), one refresh at a time builds into a
warehouse: the others wait for the warehouse's refresh lock, and say so.

Only what is published is reported as built: the Dagster step turns the outcomes into
materializations once `refresh` returns a published release, and into failed checks alone
when it returns a refusal.

Belongs here: the order of the stages, refusing, the manifest, publishing. Stays out: what each
stage does (stages.py), what to build (plan.py), Dagster (defs/).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from pipeline import clock, disk, integrity, lineage, locks, publishing, release, reuse, stages
from pipeline.hints import failure_hint, is_resource_failure
from pipeline.locations import StoreError
from pipeline.plan import (
    DOWNLOAD_KEYS,
    LOADED,
    UNAVAILABLE,
    Inputs,
    Plan,
    changes_nothing,
    current_inputs,
    make_plan,
)
from pipeline.settings import MODELS_DIR, Settings
from pipeline.store import open_store
from pipeline.transforms.duck import run
from pipeline.transforms.outcome import Outcome
from pipeline.transforms.publish.release_state import download_states, release_guard
from pipeline.transforms.sources.read_all import DownloadOptions, unavailable_downloads
from pipeline.version import code_version

# The steps a refresh prints and times, and the stages of the graph each builds; the release
# is the publish.
STEPS = {
    "raw": (lineage.RAW,),
    "models": (lineage.STAGING, lineage.MARTS),
    "exports": (lineage.EXPORTS,),
    "report": (lineage.REPORTS,),
}
STEP_OF = {stage: step for step, stages in STEPS.items() for stage in stages}
STEP_OF[lineage.RELEASE] = "publish"


@dataclass
class Refresh:
    """What one refresh did."""

    run_id: str
    plan: Plan
    outcomes: list[Outcome] = field(default_factory=list)  # every asset built, in build order
    refused: list[str] = field(default_factory=list)  # why nothing was published
    release_id: str | None = None  # the release published
    release_dir: Path | None = None
    manifest: dict = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)  # per step, and "publish"
    observed: dict[str, str] = field(default_factory=dict)  # download -> loaded or unavailable
    unchanged: dict[str, str] = field(default_factory=dict)  # download -> why still unavailable
    lake: str = ""  # the DuckLake snapshot the release was committed as (or why not)
    step: str = ""  # the step running (or the last one run), named by a failure's hint
    resource_failure: bool = False  # refused for want of memory or disk

    @property
    def published(self) -> bool:
        return self.release_id is not None

    def assets_per_step(self, graph: lineage.Graph) -> dict[str, int]:
        """How many assets each step built (published or not)."""
        counts: dict[str, int] = {}
        for outcome in self.outcomes:
            step = STEP_OF[graph.stages[outcome.asset_key]]
            counts[step] = counts.get(step, 0) + 1
        return counts


@dataclass(frozen=True)
class Request:
    """What a refresh is asked to do, besides the project's folders."""

    run_id: str
    selected: frozenset[str] = frozenset()  # asset keys; empty: every asset
    downloads: DownloadOptions = field(default_factory=DownloadOptions)
    allowed_shrinks: frozenset[str] = frozenset()  # sources whose rows may shrink (the guard)
    models_dir: Path = MODELS_DIR
    # Publish only if some data changes (`make run` without --force, the schedule, the sensor):
    # a download still unavailable, as in the release, then publishes nothing.
    if_changed: bool = False


def refresh(
    settings: Settings,
    graph: lineage.Graph,
    versions: dict[str, str],
    request: Request,
    log: Callable[[str], None] = print,
) -> Refresh:
    """Plan, build, check and publish what `request` asks for (module docstring). A release
    store that cannot be read or written refuses the refresh, in one line."""
    store = open_store(settings)
    shared = replace(request.downloads, shared_cache=store.download_cache())
    request = replace(request, downloads=shared)
    holder = f"refresh run {request.run_id}"
    on_wait = lambda who: log(f"waiting for {who} to finish")  # noqa: E731
    with locks.refresh_lock(store.layout.root, holder, on_wait):
        try:
            return _refresh(store, settings, graph, versions, request, log)
        except StoreError as err:
            return Refresh(request.run_id, Plan([], {}, {}, fresh=False), refused=[str(err)])


def _refresh(store, settings, graph, versions, request: Request, log) -> Refresh:
    layout = store.layout
    if wrong := clock.clock_problem(settings.raw_dir, store):
        return Refresh(request.run_id, Plan([], {}, {}, fresh=False), refused=[wrong])
    current = store.current_id()  # what the publish expects to replace
    baseline = integrity.last_good(store)  # what the build starts from and is compared with
    for line in baseline.skipped:
        log(f"{line}: not built from nor compared with")
    inputs = current_inputs(settings, graph, versions, baseline.manifest)
    selected = set(request.selected) or set(graph.deps)
    result = Refresh(request.run_id, make_plan(graph, inputs, selected, reuse=request.if_changed))
    previous, manifest = baseline.path, baseline.manifest
    if short := disk.space_problem(layout, previous):
        result.refused = [short]
        return result
    fresh = result.plan.fresh or previous is None
    build = layout.build_for(request.run_id)
    try:
        release.start_build(layout, request.run_id, None if fresh else previous)
        if _build(settings, graph, inputs, request, result, build, previous, manifest, log):
            publishing.publish(store, build, settings, current, result, log)
        elif result.unchanged:  # nothing refused: nothing to keep for inspection
            shutil.rmtree(build.directory, ignore_errors=True)
    except OSError as err:  # the copy of the release: a full disk, in the setting's words
        if (hint := failure_hint(err, settings)) is None:
            raise
        result.refused, result.resource_failure = [hint], True
    finally:  # published, refused or failed: the build folder is no longer being written
        if not result.published and build.directory.is_dir():
            if dropped := disk.drop_failed(layout, build, previous, result.resource_failure):
                log(dropped)
        locks.release_build_lock(request.run_id)
    return result


def _build(settings, graph, inputs, request, result, build, previous, manifest, log) -> bool:
    """Build and check everything the plan says, into `build`; False when refused."""
    con = stages.connect(build, settings.memory_limit)
    try:
        stage = stages.Stage(con, settings, graph, build, previous, manifest.get("release_id"), log)
        fresh = result.plan.fresh or previous is None
        if not fresh:
            for relation in stages.prune_unproduced(stage):
                log(f"{relation}: no asset produces it any more; not published again")
        selected = set(request.selected) or set(graph.deps)
        result.plan = reuse.verify_sources(stage, inputs, selected, result.plan, manifest)
        if not _run_steps(stage, inputs, request, result, manifest, fresh):
            return False
        result.step = "publish"
        result.manifest = _manifest(stage, inputs, request, result)
        run(con, "CHECKPOINT")
        return True
    except Exception as err:  # out of memory, disk full: said in the setting's words, refused
        hint = failure_hint(err, settings, result.step)
        if hint is None:
            raise
        result.refused, result.resource_failure = [hint], is_resource_failure(err)
        return False
    finally:
        con.close()


def _run_steps(stage, inputs, request: Request, result: Refresh, manifest, fresh) -> bool:
    """Each step of the plan in order; False, with the refusal, at the first blocking failure,
    or when the release guard blocks (checked once the marts are final, before the exports)."""
    graph = stage.graph
    accepted: list[str] | None = None
    for step, step_stages in STEPS.items():
        keys = [k for s in step_stages for k in result.plan.of_stage(graph, s)]
        if not keys:
            continue
        if step in ("exports", "report") and accepted is None:
            if (accepted := _guard(stage, request, result, manifest)) is None:
                return False
        started, result.step = time.monotonic(), step
        if step == "raw":
            pins = {k: v.get("sha256") for k, v in manifest.get("downloads", {}).items()}
            options = replace(request.downloads, published_pins=pins)
            outcomes = stages.sources(stage, keys, options, fresh, result.plan.reused)
            if all(o.ok for o in outcomes):
                _observe(graph, inputs, request, result, outcomes)
                if request.if_changed and changes_nothing(graph, inputs, result.observed):
                    result.unchanged = {
                        o.asset_key: o.metadata["reason"]
                        for o in outcomes
                        if result.observed.get(o.asset_key) == UNAVAILABLE
                    }
                    return False
        elif step == "models":
            stage.parts = reuse.parts_of(stage, result.plan, manifest)
            outcomes = stages.models(stage, keys, fresh)
        elif step == "exports":
            outcomes = stages.exports(stage, keys)
        else:
            outcomes = [stages.report(stage, tuple(accepted or ()))]
        stages.describe(stage, outcomes)
        result.outcomes += outcomes
        result.seconds[step] = time.monotonic() - started
        failed = [o.asset_key for o in outcomes if not o.ok]
        if failed:
            result.refused = [f"blocking checks failed on {', '.join(failed)}"]
            return False
    return accepted is not None or _guard(stage, request, result, manifest) is not None


def _guard(stage, request: Request, result: Refresh, manifest: dict) -> list[str] | None:
    """The release guard, once the marts are final: the shrinks accepted, or None (with the
    refusal) when a source's rows vanish or shrink and the run did not accept it."""
    allowed, result.step = set(request.allowed_shrinks), "release guard"
    if not manifest:
        stage.log("release guard: no earlier release that verifies, nothing to compare with")
    marts, known = stage.graph.marts, stage.parts.reused_rows
    blocked, accepted, counts = release_guard(stage.con, marts, manifest, allowed, known)
    if blocked:
        result.refused = [
            *unavailable_downloads(result.outcomes, blocked),  # the cause first, if a download
            "Release guard: nothing was published.",
            *blocked,
            "If this is intended, accept it: python -m pipeline.cli refresh --allow-shrink "
            "SOURCE[,SOURCE...] (--allow-shrink removed-sources: every source removed from raw/)",
        ]
        return None
    # the marts are final: the new release's row counts (_manifest), not counted again
    result.manifest |= {"accepted_shrinks": accepted, "row_counts": counts}
    return accepted


def _observe(graph, inputs: Inputs, request: Request, result: Refresh, outcomes) -> None:
    """The plan again once the sources are read: a download's data version depends on whether
    it was obtained."""
    result.observed = observed = {
        o.asset_key: LOADED if o.metadata["status"] == "available" else UNAVAILABLE
        for o in outcomes
        if o.asset_key in DOWNLOAD_KEYS
    }
    done = {o.asset_key: result.plan.reasons[o.asset_key] for o in outcomes}
    selected = set(request.selected) or set(graph.deps)
    observed_inputs = replace(inputs, observed=observed)
    result.plan = make_plan(graph, observed_inputs, selected, done, reuse=request.if_changed)


def _manifest(stage, inputs: Inputs, request: Request, result: Refresh) -> dict:
    """What the release holds and what it was built from: per asset, its code and data
    versions, the files it read, the run that built it; the release's downloads and row counts."""
    plan, built = result.plan, set(result.plan.built)
    assets = {}
    for key in stage.graph.order:
        if key not in built:
            assets[key] = dict(inputs.published[key])
            continue
        assets[key] = {
            "code_version": inputs.code_versions[key],
            "data_version": plan.data_versions[key],
            "inputs": inputs.files.get(key, {}),
            "run_id": request.run_id,
        }
        if key in DOWNLOAD_KEYS:
            assets[key]["status"] = result.observed.get(key, UNAVAILABLE)
        if key in stage.graph.long_sources_keys:  # what a later reuse verifies its copy by
            assets[key]["rows"] = reuse.typed_rows(stage.con, key)
    read = {
        path: sha
        for key, entry in assets.items()
        if key != lineage.INVENTORY
        for path, sha in entry.get("inputs", {}).items()
    }
    return {
        "run_id": request.run_id,
        "previous_release": stage.previous_id,
        "inputs": dict(sorted(read.items())),
        "code_version": code_version(request.models_dir),
        "rebuilt": plan.built,
        "reasons": plan.reasons,
        "assets": assets,
        "accepted_shrinks": result.manifest.get("accepted_shrinks", []),
        "downloads": download_states(stage.con),
        "row_counts": result.manifest["row_counts"],  # as the release guard counted them
        "parts": stage.parts.manifest(),
    }
