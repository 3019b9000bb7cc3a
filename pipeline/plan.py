"""What a refresh builds, decided from the asset graph, the selection and the published release.

An asset is built when it is:
- selected (from the UI, `dagster asset materialize --select`, the CLI's `--select`, the
  schedule or the sensor);
- missing from the published release (a new mart, or the first release);
- upstream of a selected asset and out of date in the release, so that what is selected is
  built from the files and code as they are now;
- downstream of an asset that is built and whose data changes, so that a release never mixes
  a mart with a staging model, an export or a report built from another state of it;
- a description of the release itself (`marts.release_changes`, hence its export, the report
  and the release, which change with every release; and the inventory of raw/);
- checked together with an asset built for its own sake (`Graph.together`: the transcriptions
  its keys point into, or that point into it; every long-format source, for the gathered
  values).

Except, on a run that reuses (`make run` without --force, the schedule, the sensor), a
long-format source whose data version is the published one (its file, its origin record, the
code that reads and checks it and the tables it is checked against all unchanged): it is not
read again, its typed table and its part of the exports are the published release's (`reused`,
with why; build.py verifies them before it relies on them).

An asset's data version is a digest of its code version, the files it reads, the data versions
of the assets it reads and, for a download, whether it was obtained: known before anything is
built, except a download's outcome, so the plan is made again once the sources are read.
What is not built keeps the published release's copy, and its data version.

Belongs here: those decisions and the versions they rest on. Stays out: building (build.py),
Dagster (defs/).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline import lineage
from pipeline.settings import Settings
from pipeline.store import open_store
from pipeline.transforms.models.discover import model_key
from pipeline.transforms.sources.download_sources import DOWNLOADS
from pipeline.transforms.sources.inventory import take_inventory
from pipeline.version import digest

LOADED, UNAVAILABLE = "loaded", "unavailable"
TOGETHER = "checked together with"
RETRY = "the file was unavailable in the published release"
DOWNLOAD_KEYS = frozenset(source.asset_name for source in DOWNLOADS)


@dataclass(frozen=True)
class Plan:
    built: list[str]  # in build order
    data_versions: dict[str, str]  # every asset: the data version it has in the new release
    reasons: dict[str, str]  # why each built asset is built
    fresh: bool  # everything is built: the build starts from an empty warehouse
    reused: dict[str, str] = field(default_factory=dict)  # long source -> why it is not read

    def of_stage(self, graph: lineage.Graph, stage: str) -> list[str]:
        return [key for key in self.built if graph.stages[key] == stage]


@dataclass(frozen=True)
class Inputs:
    """What the assets of a refresh are built from, as the plan sees it."""

    code_versions: dict[str, str]  # asset -> its code version now
    files: dict[str, dict[str, str]]  # source asset -> {shown path: sha256} of its files now
    release_id: str = ""  # the published release (a new one describes its changes since it)
    published: dict[str, dict] = field(default_factory=dict)  # the release's per-asset record
    observed: dict[str, str] = field(default_factory=dict)  # download -> status, once read


def current_inputs(
    settings: Settings, graph: lineage.Graph, versions: dict, manifest: dict | None = None
) -> Inputs:
    """What a plan compares with the published release (or with `manifest`, the release a build
    starts from): the code and the raw files as they are now, and what the release records of
    each asset."""
    inventory = take_inventory(settings.raw_dir)
    files = {**inventory.by_asset, lineage.INVENTORY: inventory.inputs}
    if manifest is None:
        manifest = open_store(settings).current_manifest()
    return Inputs(versions, files, manifest.get("release_id", ""), manifest.get("assets", {}))


def per_release(graph: lineage.Graph) -> set[str]:
    """Assets that describe the release itself: what changed since the previous one, and the
    inventory of the files it was built from (cheap: it hashes raw/)."""
    return {model_key(m) for m in graph.models if m.computed} | {lineage.INVENTORY}


def data_version(inputs: Inputs, key: str, deps: dict[str, str], extra: str = "") -> str:
    files = inputs.files.get(key, {})
    return digest(
        [
            inputs.code_versions[key],
            *(f"{path}={sha}" for path, sha in sorted(files.items())),
            *(f"{dep}={version}" for dep, version in sorted(deps.items())),
            extra,
        ]
    )


def _extra(graph: lineage.Graph, inputs: Inputs, key: str) -> str:
    if key in DOWNLOAD_KEYS:
        return inputs.observed.get(key, LOADED)
    if key in per_release(graph) and key != lineage.INVENTORY:
        return f"since {inputs.release_id}"
    return ""


def out_of_date(graph: lineage.Graph, inputs: Inputs, key: str, retry_unavailable=True) -> str:
    """Why the published copy of `key` is out of date on its own (not counting what it reads),
    or ''. A download unavailable in the release counts when `retry_unavailable`."""
    record = inputs.published.get(key)
    if record is None:
        return "not in the published release"
    if record.get("code_version") != inputs.code_versions[key]:
        return "its code changed"
    before, now = record.get("inputs", {}), inputs.files.get(key, {})
    for path in sorted(before.keys() | now.keys()):
        if before.get(path) != now.get(path):
            what = "added" if path not in before else "removed" if path not in now else "changed"
            return f"{path} {what}"
    if retry_unavailable and key in DOWNLOAD_KEYS and record.get("status") == UNAVAILABLE:
        return RETRY
    return ""


def stale(graph: lineage.Graph, inputs: Inputs, retry_unavailable=True) -> dict[str, str]:
    """Every asset whose published copy is out of date, with why: on its own, or because an
    asset it reads is."""
    reasons: dict[str, str] = {}
    for key in graph.order:
        own = out_of_date(graph, inputs, key, retry_unavailable)
        if own:
            reasons[key] = own
            continue
        upstream = [dep for dep in graph.deps[key] if dep in reasons]
        if upstream:
            reasons[key] = f"reads {upstream[0]}, which is out of date"
    return reasons


def make_plan(
    graph: lineage.Graph,
    inputs: Inputs,
    selected: set[str],
    done: dict[str, str] | None = None,
    reuse: bool = False,
) -> Plan:
    """The plan for `selected` (asset keys). `done`: assets already built in this refresh, with
    why (the sources, once read: their data versions follow `inputs.observed`). Assets checked
    against each other (`graph.together`) are built together: the partners of an asset built
    for its own sake are read again to check it (not their partners in turn). `reuse`: an
    unchanged long-format source is reused, not read (module docstring)."""
    forced = dict.fromkeys(selected, "selected") | (done or {})
    reusable = set(graph.long_sources_keys) - set(done or {}) if reuse else set()
    while True:
        plan = _plan(graph, inputs, forced, selected, reusable)
        partners = {
            partner: f"{TOGETHER} {key}"
            for key in plan.built
            if not plan.reasons[key].startswith(TOGETHER)
            for partner in sorted(graph.together.get(key, ()))
            if partner not in plan.reasons and partner not in plan.reused
        }
        if not partners:
            return plan
        forced |= partners


def _plan(
    graph: lineage.Graph, inputs: Inputs, forced: dict[str, str], selected, reusable: set[str]
) -> Plan:
    upstream = set().union(*(graph.upstream(key) for key in selected))
    out_of_date_upstream = upstream & set(stale(graph, inputs))
    scoped = per_release(graph)
    published = {k: r.get("data_version") for k, r in inputs.published.items()}
    versions: dict[str, str] = {}
    built: list[str] = []
    reasons: dict[str, str] = {}
    reused: dict[str, str] = {}
    for key in graph.order:
        deps = {dep: versions[dep] for dep in graph.deps[key]}
        candidate = data_version(inputs, key, deps, _extra(graph, inputs, key))
        if key in reusable and key in inputs.published and candidate == published.get(key):
            versions[key] = candidate
            reused[key] = f"unchanged since release {inputs.release_id}"
            continue
        changed = [d for d in graph.deps[key] if d in reasons and versions[d] != published.get(d)]
        reason = (
            forced.get(key)
            or ("not in the published release" if key not in inputs.published else "")
            or ("describes the new release" if key in scoped else "")
            or (f"reads {changed[0]}, whose data changes" if changed else "")
            or ("out of date, and upstream of the selection" if key in out_of_date_upstream else "")
        )
        if reason:
            built.append(key)
            reasons[key] = reason
            versions[key] = candidate
        else:
            versions[key] = published[key]
    fresh = len(built) == len(graph.order)
    return Plan(built, versions, reasons, fresh, reused)


def read_again(graph: lineage.Graph, inputs: Inputs, plan: Plan) -> dict[str, str]:
    """Why each long-format source of the published release that the plan reads is read again,
    in a few words (its file, record or code changed; or what it is checked against)."""
    return {
        key: out_of_date(graph, inputs, key) or plan.reasons[key]
        for key in plan.built
        if key in graph.long_sources_keys and key in inputs.published
    }


def changes_nothing(graph: lineage.Graph, inputs: Inputs, observed: dict[str, str]) -> bool:
    """Whether the published release is up to date with the code and the files, and each
    download reads as it did there (still unavailable): publishing would change nothing but the
    release's description of itself."""
    if stale(graph, inputs, retry_unavailable=False):
        return False
    return all(
        inputs.published.get(key, {}).get("status") == status for key, status in observed.items()
    )
