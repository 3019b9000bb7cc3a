"""The one step that builds any selection of the graph: a subsettable multi-asset holding every
asset and check. Whatever is selected (in the UI, with `dagster asset materialize --select`,
by the CLI, the schedule or the sensor), it builds what the selection needs aside, checks it,
publishes it atomically, and only then reports the materializations, each naming its release,
and the check results (pipeline/build.py). A refused refresh reports its failed checks and no
materialization, then fails. The events are yielded as `AssetMaterialization` and
`AssetCheckEvaluation`, not as outputs: the plan may add assets the run did not select, and an
output event per asset and check would double the events the instance stores.

Every asset carries its own code version, computed from its code (pipeline/asset_versions.py),
a layer tag, an owner, and its stage's group; the groups are numbered in the order the data
flows, so that the UI lists them from the sources to the release.

Belongs here: the multi-asset and the attributes every asset shares. Stays out: what each
stage's assets are (the other modules of defs/assets/), building (pipeline/build.py).
"""

from pathlib import Path

import dagster as dg

from pipeline import build, lineage
from pipeline.defs.assets.exports import export_specs
from pipeline.defs.assets.models import model_specs
from pipeline.defs.assets.publish import allowed_shrinks, release_spec
from pipeline.defs.assets.report import report_spec
from pipeline.defs.assets.sources import source_specs
from pipeline.defs.metadata import known_descriptions
from pipeline.defs.resources import ProjectResource
from pipeline.defs.results import published_events, refused_events, unchanged_events
from pipeline.schemas.raw import RAW_TABLES
from pipeline.transforms.sources.download_sources import DOWNLOADS

STEP = "refresh_warehouse"
# On runs that publish only if some data changes: `make run` without --force, the schedule and
# the sensor. A run launched by hand in the UI rebuilds what it selects whatever the outcome.
IF_CHANGED_TAG = "pipeline/if_changed"
GROUPS = {stage: f"{number}_{stage}" for number, stage in enumerate(lineage.STAGES, start=1)}
OWNERS = ["team:pipeline_maintainers"]


def _finish(spec: dg.AssetSpec, graph: lineage.Graph, versions: dict) -> dg.AssetSpec:
    key = spec.key.to_user_string()
    stage = graph.stages[key]
    return spec.replace_attributes(
        group_name=GROUPS[stage],
        code_version=versions[key],
        owners=OWNERS,
        skippable=True,
        tags={**spec.tags, "layer": stage},
    )


def refresh_asset(
    graph: lineage.Graph, versions: dict[str, str], raw_dir: Path, models_dir: Path
) -> dg.AssetsDefinition:
    specs, checks = [], []
    for stage_specs, stage_checks in (
        source_specs(graph, raw_dir),
        model_specs(graph),
        export_specs(graph),
        ([report_spec(graph), release_spec(graph)], []),
    ):
        specs += [_finish(spec, graph, versions) for spec in stage_specs]
        checks += stage_checks
    table_specs = {f"raw.{t.name}": t.spec for t in RAW_TABLES}
    table_specs |= {f"raw.{spec.name}": spec for d in DOWNLOADS for spec in d.tables}
    table_specs |= {m.relation: m.spec for m in graph.models if m.spec}
    descriptions = known_descriptions(
        [*(m.spec for m in graph.marts), *(t.spec for t in RAW_TABLES)]
    )

    @dg.multi_asset(name=STEP, specs=specs, check_specs=checks, can_subset=True)
    def refresh_warehouse(context: dg.AssetExecutionContext, project: ProjectResource):
        """Build what the selection needs, check it, publish it, then report it."""
        selected = {key.to_user_string() for key in context.selected_asset_keys}
        selected |= {key.asset_key.to_user_string() for key in context.selected_asset_check_keys}
        request = build.Request(
            context.run_id,
            frozenset(selected),
            project.download_options(),
            allowed_shrinks(context.run.tags),
            models_dir,
            if_changed=context.run.tags.get(IF_CHANGED_TAG) == "true",
        )
        run_settings = project.settings()
        result = build.refresh(run_settings, graph, versions, request, context.log.info)
        if result.unchanged:
            yield from unchanged_events(result)
            return
        if not result.published:
            yield from refused_events(result)
            raise dg.Failure(
                description="\n".join(result.refused),
                metadata={
                    "seconds per step": dg.MetadataValue.json(_rounded(result.seconds)),
                    "assets built per step": dg.MetadataValue.json(result.assets_per_step(graph)),
                },
            )
        store = project.store()
        yield from published_events(result, graph, versions, store, table_specs, descriptions)

    return refresh_warehouse


def _rounded(seconds: dict[str, float]) -> dict[str, float]:
    return {step: round(value, 2) for step, value in seconds.items()}
