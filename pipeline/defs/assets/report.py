"""The report asset: `reports/summary.md`, `reports/summary.html` and `reports/charts/*.svg`,
built from the marts; the Markdown is attached to its materialization so the UI shows it.

Belongs here: its spec. Stays out: building it (pipeline/transforms/report/).
"""

from pathlib import Path

import dagster as dg

from pipeline import lineage
from pipeline.defs.metadata import code_references
from pipeline.transforms import report


def report_spec(graph: lineage.Graph) -> dg.AssetSpec:
    return dg.AssetSpec(
        lineage.REPORT,
        deps=graph.deps[lineage.REPORT],
        description="Summary report (Markdown + self-contained HTML with inline SVG charts).",
        metadata=code_references(Path(report.__file__)),
        kinds={"html", "markdown"},
    )
