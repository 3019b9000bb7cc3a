"""The report's first section: what the paper says against what the sources say. The verdict
counts (badges in the claims spec's order), how many table cells WJP confirms, how many errata
there are, then one line per claim, contradictions first, each with its badge, the paper's
words, what the sources say and a link to its evidence.

Belongs here: choosing and wording the findings. Stays out: the evidence in full (claims.py).
"""

from __future__ import annotations

import re

import pandas as pd

from pipeline.transforms.report.blocks import (
    Heading,
    Items,
    Link,
    Section,
    Strong,
    paragraph,
    unmarked,
)
from pipeline.transforms.report.inputs import ReportInputs
from pipeline.transforms.report.words import badge, count, country_names, humanize, tone_rank

QUOTE_CHARS = 150  # the paper's words in a finding line; in full in the claims table
SAYS_CHARS = 260  # what the sources say in a finding line; in full with the evidence
_PARENTHESIS = re.compile(r"\s*\([^)]*\)\s*$")
_REGIME = re.compile(r"\bv2x_regime \d+ \(([^)]+)\)")


def findings_section(data: ReportInputs) -> Section:
    claims = data.paper_claims
    blocks: list = [
        paragraph(
            "The paper's checkable statements, each compared with a primary source the project "
            "holds (WJP's Rule of Law Index data, V-Dem, and the public records behind each "
            "erratum), with a verdict computed by a rule stated before looking at the data."
        ),
        Items(tuple(_counts(claims, data)), "verdict-counts"),
        Heading("Claim by claim, contradictions first", "findings-list"),
        Items(tuple(_finding(r, data) for r in _in_finding_order(claims).itertuples()), "findings"),
    ]
    return Section("findings", "What the sources found", blocks)


def _counts(claims: pd.DataFrame, data: ReportInputs) -> list[tuple]:
    found = claims["verdict"].value_counts()
    verdicts = list(data.vocabulary.verdicts)
    verdicts += sorted(v for v in found.index if v not in verdicts)  # never drop a new one
    entries = [(badge(v), " ", Strong(count(int(found.get(v, 0)), "claim"))) for v in verdicts]
    verification = data.paper_verification
    cells = int(verification["cells"].sum()) if len(verification) else 0
    by_status = verification.groupby("verification")["cells"].sum() if cells else {}
    verified = int(by_status.get("verified", 0)) if cells else 0
    others = ", ".join(
        f"{int(n)} {humanize(status)}"
        for status, n in (by_status.items() if cells else [])
        if status != "verified"
    )
    entries.append(
        (
            Strong(f"{verified} of {cells}"),
            " cells of the paper's Tables 1 and 2 verified against WJP's data"
            + (f" ({others})" if others else ""),
            " ",
            Link("how", "#verification"),
        )
    )
    entries.append(
        (
            Strong(count(len(data.errata), "error")),
            " of the paper, each with its public sources ",
            Link("errata", "#errata"),
        )
    )
    return entries


def _in_finding_order(claims: pd.DataFrame) -> pd.DataFrame:
    return claims.assign(_tone=claims["verdict"].map(tone_rank)).sort_values(
        ["_tone", "claim_id"], kind="stable"
    )


def _finding(row, data: ReportInputs) -> tuple:
    says = row.erratum if _given(row.erratum) else readable_evidence(row.evidence, data)
    return (
        badge(row.verdict),
        " The paper: ",
        Strong(shorten(unmarked(row.paper_quote), QUOTE_CHARS)),
        " The sources: ",
        shorten(unmarked(says), SAYS_CHARS),
        " ",
        Link("evidence", f"#claim-{row.claim_id}"),
    )


def _given(value) -> bool:
    return value is not None and not pd.isna(value) and str(value).strip() != ""


def shorten(text: str, limit: int) -> str:
    """`text` up to `limit` characters, cut at a word and marked with an ellipsis."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    return text[: text.rfind(" ", 0, limit)].rstrip(",;:") + " …"


def readable_evidence(evidence: str, data: ReportInputs) -> str:
    """Evidence in words: country codes as names, V-Dem's codes as what they measure."""
    text = _REGIME.sub(r"\1", str(evidence))
    names = dict(zip(data.vdem["factor_code"], data.vdem["factor_name"], strict=False))
    for code, name in sorted(names.items(), key=lambda kv: -len(str(kv[0]))):
        if _given(name):
            text = text.replace(str(code), _PARENTHESIS.sub("", str(name)).lower())
    for iso3, name in country_names(data.countries).items():
        text = re.sub(rf"\b{re.escape(iso3)}\b", name, text)
    return text
