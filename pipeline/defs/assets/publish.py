"""Publish: the last asset of a refresh. It runs only when every upstream asset and blocking
check succeeded. Before swapping the run's build into place (pipeline/release.py) it applies the
release guard: a source whose rows vanish or shrink past the threshold in any mart blocks the
publish, unless the run accepts it (tag `pipeline/allow-shrink`, set by
`python -m pipeline.cli refresh --allow-shrink SOURCE`). The manifest records what was built,
from what, and what was accepted.
"""

import dagster as dg

from pipeline import lineage, release
from pipeline.defs.resources import ProjectResource
from pipeline.transforms.duck import run
from pipeline.transforms.release_state import build_state, release_guard

ALLOW_SHRINK_TAG = "pipeline/allow-shrink"


def allowed_shrinks(tags: dict) -> set[str]:
    return {s.strip() for s in tags.get(ALLOW_SHRINK_TAG, "").split(",") if s.strip()}


def publish_asset(graph: lineage.Graph, version: str) -> dg.AssetsDefinition:
    @dg.asset(
        name=lineage.PUBLISH,
        group_name="publish",
        deps=graph.deps[lineage.PUBLISH],
        description="Checks the release guard, then swaps this run's warehouse, exports and "
        "report into `warehouse/` atomically; keeps the last N releases.",
        kinds={"duckdb", "parquet"},
        code_version=version,
    )
    def warehouse_release(context: dg.AssetExecutionContext, project: ProjectResource):
        layout, settings = project.layout, project.settings()
        build = project.build(context.run_id)
        previous = release.current_manifest(layout)
        allowed = allowed_shrinks(context.run.tags)
        with project.connect(context.run_id) as con:
            state = build_state(con, graph)
            blocked, accepted = release_guard(con, graph.marts, previous, allowed)
            run(con, "CHECKPOINT")
        if blocked:
            raise dg.Failure(
                description="Release guard: nothing was published.\n  "
                + "\n  ".join(blocked)
                + "\n  If this is intended, accept it: python -m pipeline.cli refresh "
                "--allow-shrink SOURCE",
            )
        manifest = _manifest(context, graph, version, state, previous, accepted)
        published = release.publish(layout, build, manifest, settings.keep_releases)
        return dg.MaterializeResult(
            metadata={
                "release": dg.MetadataValue.path(str(published)),
                "warehouse": dg.MetadataValue.path(str(layout.published_db)),
                "releases_kept": dg.MetadataValue.int(len(layout.releases())),
            }
        )

    return warehouse_release


def _manifest(context, graph, version, state, previous, accepted) -> dict:
    selection = context.run.asset_selection
    all_keys = sorted(graph.deps)
    rebuilt = sorted(k.to_user_string() for k in selection) if selection else all_keys
    versions = dict(previous.get("code_versions", {}))
    versions.update(dict.fromkeys(rebuilt, version))
    return {
        "run_id": context.run_id,
        "previous_release": previous.get("release_id"),
        "code_version": version,
        "rebuilt": rebuilt,
        "code_versions": {k: versions.get(k, "") for k in all_keys},
        "accepted_shrinks": accepted,
        **state,
    }
