"""The release asset, `warehouse_release`: the published state itself. It is materialized by
every refresh that publishes, whatever was selected, and its latest materialization says which
release is current, what it rebuilt and why, and what the release guard accepted.

Before a build is published the release guard compares it with the current release: a source
whose rows vanish or shrink past the threshold in any mart blocks the publish, unless the run
accepts it (tag `pipeline/allow-shrink`, set by `python -m pipeline.cli refresh --allow-shrink
SOURCE`).

Belongs here: its spec and the tag. Stays out: publishing (pipeline/build.py, release.py).
"""

from pathlib import Path

import dagster as dg

from pipeline import lineage, release
from pipeline.defs.metadata import code_references

ALLOW_SHRINK_TAG = "pipeline/allow-shrink"


def allowed_shrinks(tags: dict) -> frozenset[str]:
    return frozenset(s.strip() for s in tags.get(ALLOW_SHRINK_TAG, "").split(",") if s.strip())


def release_spec(graph: lineage.Graph) -> dg.AssetSpec:
    return dg.AssetSpec(
        lineage.PUBLISH,
        deps=graph.deps[lineage.PUBLISH],
        description="The published release: the warehouse, exports and report of one refresh, "
        "swapped into `warehouse/` atomically once every blocking check and the release guard "
        "passed. Its latest materialization names the current release; the last N releases are "
        "kept for rollback.",
        metadata=code_references(Path(release.__file__)),
        kinds={"duckdb", "parquet"},
    )
