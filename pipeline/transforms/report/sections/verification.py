"""Does the primary source confirm the paper's tables? The snapshot used, the cells per table,
scope and status, the cells it cannot confirm and why, and the rank rule checked against
WJP's own published ranks.

Belongs here: that section. Stays out: the tables themselves (paper_tables.py).
"""

from __future__ import annotations

import pandas as pd

from pipeline.transforms.report.blocks import Heading, Section, link, paragraph, table
from pipeline.transforms.report.inputs import ReportInputs
from pipeline.transforms.report.sections.paper_tables import WJP_RELATION, paper_rows
from pipeline.transforms.report.words import humanize, record_url


def verification_section(data: ReportInputs) -> Section:
    snapshot = data.wjp_snapshot
    status = snapshot.iloc[0] if not snapshot.empty else None
    url = record_url(data.source_files, WJP_RELATION)
    if status is None or status["status"] != "available":
        reason = "not run" if status is None else status["reason"]
        intro = paragraph(
            f"WJP's data was not available in this refresh ({reason}); every cell of the paper "
            "is marked not checked."
        )
    else:
        intro = paragraph(
            "Every cell of the paper's Tables 1 and 2 was compared with the World Justice "
            "Project's own data (",
            link("the file pinned by its checksum", url),
            f", sha256 {status['sha256'][:12]}…), ranks computed from WJP's published scores "
            "(competition ranking on 4-decimal scores).",
        )
    counts = data.paper_verification
    rows = [
        [r.paper_table, humanize(r.scope), humanize(r.verification), f"{int(r.cells):,}"]
        for r in counts.itertuples()
    ]
    paper = paper_rows(data.indicators)
    notable = paper[paper["verification"].isin(["mismatch", "unverifiable"])]
    notes = [
        [r.source_locator, humanize(r.verification), r.verification_note]
        for r in notable.sort_values("source_locator").itertuples()
    ]
    blocks = [
        intro,
        table("Cells per table, scope and status.", ["Table", "Scope", "Status", "Cells#"], rows),
    ]
    if notes:
        blocks.append(
            table(
                "Cells the source contradicts or cannot check, and why.",
                ["Cell", "Status", "What was compared"],
                notes,
                folded=True,
            )
        )
    blocks += _rank_comparison(data)
    return Section("verification", "Does WJP's data confirm the paper's tables?", blocks)


def _rank_comparison(data: ReportInputs) -> list:
    """WJP's own published ranks against the computed ones."""
    comparison = data.rank_comparison
    if comparison.empty:
        return []
    counts = comparison["agreement"].value_counts()
    year = int(comparison["edition_year"].max())
    text = paragraph(
        f"The rank rule checked against WJP's own {year} ranks (overall and eight factors; "
        f"global, regional and income-group): {int(counts.get('same', 0)):,} of "
        f"{len(comparison):,} agree; {int(counts.get('tie_order', 0)):,} differ only in the "
        "order WJP gives countries tied at 4 decimals (the rule here gives a tie one shared "
        f"rank); {int(counts.get('differs', 0)):,} differ otherwise."
    )
    ties = comparison[comparison["agreement"] != "same"].sort_values(
        ["measure_code", "scope", "published_rank"], kind="stable"
    )
    vocabulary = data.vocabulary
    rows = [
        [
            r.country_name,
            vocabulary.wjp_name(r.measure_code, humanize(r.measure_code)),
            humanize(r.scope),
            _rank(r.computed_rank),
            _rank(r.published_rank),
            r.explanation or "",
        ]
        for r in ties.itertuples()
    ]
    blocks: list = [Heading("The rank rule against WJP's published ranks"), text]
    if rows:
        blocks.append(
            table(
                "Each computed rank that differs from WJP's published one, and why.",
                ["Country", "Measure", "Scope", "Computed#", "WJP#", "Why"],
                rows,
                folded=True,
            )
        )
    return blocks


def _rank(value) -> str:
    return "" if value is None or pd.isna(value) else str(int(value))
