"""A refresh's outcomes as Dagster events, reported only once it is decided:

- published: one materialization per asset built (the selected ones and those the plan added),
  each naming the release it was published in and carrying its code and data versions and
  those of what it read (the tags the UI computes staleness from), then its checks' results;
  then `warehouse_release`'s, naming the release;
- refused: the results of the checks that ran on the refused build, the failed ones with their
  failure cases, and no materialization, so the UI keeps showing the published state. (A check
  the refused build never reached shows as not executed: its run failed.)
- unchanged (a download retried and still unavailable, nothing else changed, on a run that
  publishes only if some data changes): one observation per download retried, saying so, and
  no materialization: the published release stays current.

Belongs here: that conversion. Stays out: computing outcomes (pipeline/build.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import dagster as dg

from pipeline import lineage
from pipeline.build import Refresh
from pipeline.defs.metadata import problems_metadata, summary_metadata
from pipeline.release import WarehouseLayout
from pipeline.store.base import ReleaseStore
from pipeline.transforms.outcome import Outcome

# Dagster's data-version tags (its docs, "Asset versioning and caching"): what it compares to
# tell which assets are stale. Dagster writes them itself for a step's outputs; the refresh
# reports materializations, not outputs (defs/assets/refresh.py), so it writes them.
CODE_VERSION_TAG = "dagster/code_version"
DATA_VERSION_TAG = "dagster/data_version"
USER_PROVIDED_TAG = "dagster/data_version_is_user_provided"
INPUT_DATA_VERSION = "dagster/input_data_version/"
INPUT_EVENT_POINTER = "dagster/input_event_pointer/"


def version_tags(graph: lineage.Graph, result: Refresh, versions: dict, key: str) -> dict:
    data_versions = result.plan.data_versions
    tags = {
        CODE_VERSION_TAG: versions[key],
        DATA_VERSION_TAG: data_versions[key],
        USER_PROVIDED_TAG: "true",
    }
    for dep in graph.deps[key]:
        tags[INPUT_DATA_VERSION + dep] = data_versions[dep]
        tags[INPUT_EVENT_POINTER + dep] = "NULL"
    return tags


def published_events(
    result: Refresh,
    graph: lineage.Graph,
    versions: dict[str, str],
    store: ReleaseStore,
    specs: dict,
    descriptions: dict[str, str],
) -> Iterator:
    """Every asset built, then its checks; the release last."""
    for outcome in result.outcomes:
        metadata = _metadata(outcome, store.layout, specs, descriptions)
        metadata["release"] = dg.MetadataValue.text(result.release_id)
        metadata["built because"] = dg.MetadataValue.text(result.plan.reasons[outcome.asset_key])
        yield dg.AssetMaterialization(
            outcome.asset_key,
            metadata=metadata,
            tags=version_tags(graph, result, versions, outcome.asset_key),
        )
        yield from check_evaluations(outcome)
    yield dg.AssetMaterialization(
        lineage.PUBLISH,
        metadata=release_metadata(result, store),
        tags=version_tags(graph, result, versions, lineage.PUBLISH),
    )


def check_evaluations(outcome: Outcome) -> Iterator:
    key = dg.AssetKey(outcome.asset_key)
    for check, problems in outcome.checks.items():
        metadata, note = problems_metadata(problems), outcome.notes.get(check)
        if note:  # passed without scanning the rows here: where they were validated
            metadata["messages"] = dg.MetadataValue.text(note)
        yield dg.AssetCheckEvaluation(
            asset_key=key,
            check_name=check,
            passed=not problems,
            metadata=metadata,
            description=note,
            blocking=True,
        )
    for check, message in outcome.warnings.items():
        yield dg.AssetCheckEvaluation(
            asset_key=key,
            check_name=check,
            passed=not message,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"messages": dg.MetadataValue.text(message or "passed")},
        )


def refused_events(result: Refresh) -> Iterator:
    """The results of every check the refused build ran."""
    for outcome in result.outcomes:
        yield from check_evaluations(outcome)


def unchanged_events(result: Refresh) -> Iterator:
    """An observation of each download still unavailable: looked at, nothing published."""
    for key, reason in result.unchanged.items():
        yield dg.AssetObservation(
            asset_key=key,
            description="Still unavailable: nothing changed, nothing was published.",
            metadata={"status": "unavailable", "reason": dg.MetadataValue.text(reason)},
        )


def release_metadata(result: Refresh, store: ReleaseStore) -> dict:
    manifest, layout = result.manifest, store.layout
    lake = {"lake": dg.MetadataValue.text(result.lake)} if result.lake else {}
    return {
        "published to": dg.MetadataValue.text(store.location),
        **lake,
        "release": dg.MetadataValue.text(result.release_id),
        "previous release": dg.MetadataValue.text(manifest.get("previous_release") or "(none)"),
        "release path": dg.MetadataValue.path(str(result.release_dir)),
        "warehouse": dg.MetadataValue.path(str(layout.published_db)),
        "exports": dg.MetadataValue.path(str(layout.root / "exports")),
        "report": dg.MetadataValue.path(str(layout.root / "reports" / "summary.html")),
        "releases kept": dg.MetadataValue.int(len(store.release_ids())),
        "assets built": dg.MetadataValue.int(len(result.plan.built)),
        "accepted shrinks": dg.MetadataValue.text(
            "\n".join(manifest.get("accepted_shrinks", [])) or "none"
        ),
        "seconds per step": dg.MetadataValue.json(
            {step: round(s, 2) for step, s in result.seconds.items()}
        ),
        "code version of everything": dg.MetadataValue.text(manifest.get("code_version", "")),
    }


def _metadata(outcome: Outcome, layout: WarehouseLayout, specs: dict, descriptions) -> dict:
    metadata = {}
    for name, value in outcome.metadata.items():
        if name == "report":
            metadata[name] = dg.MetadataValue.md(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            metadata[name] = dg.MetadataValue.int(value)
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            metadata[name] = dg.MetadataValue.url(value)
        elif isinstance(value, dict | list):
            metadata[name] = dg.MetadataValue.json(json.loads(json.dumps(value, default=str)))
        else:
            metadata[name] = "" if value is None else str(value)
    if outcome.summary is not None:
        spec = specs.get(outcome.summary.relation)
        metadata |= summary_metadata(outcome.summary, spec, descriptions)
    for label, relative in outcome.files.items():
        path = layout.root / relative
        metadata[label] = dg.MetadataValue.path(str(path))
        if path.is_file() and label == "path":
            metadata["bytes"] = dg.MetadataValue.int(path.stat().st_size)
    return metadata
