"""The export assets: each mart as `exports/<mart>.parquet` in the published release, with its
schema, column descriptions and provenance in the file, and a blocking check that reads it back
and compares it with the mart. `exports/datapackage.json` describes them all.

Belongs here: their specs. Stays out: writing them (pipeline/stages.py,
transforms/publish/export.py).
"""

from pathlib import Path

import dagster as dg

from pipeline import lineage
from pipeline.defs.metadata import code_references, spec_metadata
from pipeline.stages import CHECK_READ_BACK
from pipeline.transforms.publish import export


def export_specs(graph: lineage.Graph) -> tuple[list, list]:
    """(asset specs, check specs) of the exports."""
    specs, checks = [], []
    for mart in graph.marts:
        key = lineage.export_key(mart.name)
        specs.append(
            dg.AssetSpec(
                key,
                deps=graph.deps[key],
                description=f"`exports/{mart.name}.parquet`: {mart.relation} as Parquet.",
                metadata={**spec_metadata(mart.spec), **code_references(Path(export.__file__))},
                kinds={"parquet"},
            )
        )
        checks.append(
            dg.AssetCheckSpec(
                CHECK_READ_BACK,
                asset=key,
                blocking=True,
                description="The file reads back with the spec's schema and rows.",
            )
        )
    return specs, checks
