"""The evidence behind the findings: every claim with its verdict badge, its evidence in words,
the rule that decides it and the erratum, each row the target of its finding's link; then
the errata, each placed by what it corrects (an event, a reference, a funding claim) with its
sources as links.

Belongs here: the claims and errata in full. Stays out: the one-line findings (findings.py)
and V-Dem's series (vdem.py).
"""

from __future__ import annotations

import pandas as pd

from pipeline.transforms.report.blocks import Heading, Section, links, paragraph, rich, table
from pipeline.transforms.report.inputs import ReportInputs
from pipeline.transforms.report.sections.findings import readable_evidence
from pipeline.transforms.report.sections.vdem import vdem_blocks
from pipeline.transforms.report.words import badge, count, humanize, tone_rank


def claims_section(data: ReportInputs) -> Section:
    claims = data.paper_claims
    ordered = claims.assign(_tone=claims["verdict"].map(tone_rank)).sort_values(
        ["_tone", "claim_id"], kind="stable"
    )
    rows = [
        [
            (badge(r.verdict),),
            rich(r.paper_quote),
            readable_evidence(r.evidence, data),
            r.rule,
            _text(r.erratum) or _text(r.note),
        ]
        for r in ordered.itertuples()
    ]
    blocks = [
        Heading("Each claim, its evidence and its rule", "claims"),
        paragraph(
            f"{count(len(claims), 'claim')} of the paper that a primary source held here can "
            "check. Each verdict is computed from the evidence by the claim's rule, stated "
            "before looking at the data; none is set by hand."
        ),
        table(
            "The paper's claims, contradictions first.",
            ["Verdict", "The paper says", "Evidence", "Rule", "Erratum or note"],
            rows,
            row_ids=[f"claim-{r.claim_id}" for r in ordered.itertuples()],
        ),
        Heading("Errata: where the paper is wrong", "errata"),
        paragraph(
            f"{count(len(data.errata), 'error')} of the paper, each with its sources and a "
            "confidence; the warehouse keeps the paper's words and carries the correction "
            "beside them."
        ),
        table(
            "Errata, with what the primary sources say.",
            ["Where", "The paper says", "Correction", "Confidence", "Sources"],
            [_erratum_row(r, data) for r in _errata_in_order(data.errata).itertuples()],
            folded=True,
        ),
    ]
    return Section("primary-sources", "The claims and errata in full", blocks + vdem_blocks(data))


def _text(value) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def _errata_in_order(errata: pd.DataFrame) -> pd.DataFrame:
    return errata.sort_values(["target_mart", "erratum_id"], kind="stable")


def _erratum_row(row, data: ReportInputs) -> list:
    urls = list(row.source_urls) if row.source_urls is not None else []
    return [
        _where(row, data),
        rich(row.paper_says),
        rich(row.erratum),
        humanize(row.confidence),
        links(urls) if urls else _text(row.notes),
    ]


def _where(row, data: ReportInputs) -> str:
    """What an erratum corrects, in words: the event's title, the reference's authors and
    year, the funding claim's recipient and scope."""
    key = row.target_key
    if row.target_mart == "timeline":
        hit = data.timeline[data.timeline["event_id"] == key]
        if len(hit):
            return f"Event: {hit.iloc[0]['title']}"
    if row.target_mart == "funding":
        hit = data.funding[data.funding["claim_id"] == key]
        if len(hit):
            return f"Funding: {hit.iloc[0]['recipient_name']}, {hit.iloc[0]['scope_as_stated']}"
    if row.target_mart == "references" and "authors" in data.references:
        hit = data.references[data.references["reference_key"] == key]
        if len(hit):
            return f"Reference: {hit.iloc[0]['authors']} ({_text(hit.iloc[0]['year'])})"
    return f"{humanize(row.target_mart).capitalize()}: {humanize(key)}"
