"""EU funding for Central Asia, 2014-2020, as marts.funding_totals decides it: the figure to
use for each recipient (never chosen here: the mart's claim_id_used and total_eur, whatever
its rule), the claims it leaves out and why, the claims without an amount with their reasons
(listed, never drawn), and every claim with an amount on one chart where the figure to use is
solid and a claim left out is outlined.

Belongs here: that section. Stays out: the selection rule (pipeline/sql/marts/funding_totals.sql).
"""

from __future__ import annotations

import pandas as pd

from pipeline.transforms.report import charts
from pipeline.transforms.report.blocks import (
    Chart,
    Heading,
    Items,
    Section,
    Strong,
    link,
    paragraph,
    table,
)
from pipeline.transforms.report.inputs import ReportInputs
from pipeline.transforms.report.words import (
    count,
    country_order,
    humanize,
    millions_text,
    money,
    short_title,
)


def reasons_by_claim(text, claim_ids) -> tuple[str, dict[str, str]]:
    """'prefix. a: why; b: why' -> ('prefix.', {a: why, b: why}): the mart's reasons, keyed by
    the claims they are about, so the report can name each claim in words."""
    text = "" if text is None or pd.isna(text) else str(text)
    found = sorted((text.find(f"{c}: "), c) for c in claim_ids if f"{c}: " in text)
    if not found:
        return text, {}
    reasons = {}
    for i, (start, claim) in enumerate(found):
        end = found[i + 1][0] if i + 1 < len(found) else len(text)
        reasons[claim] = text[start + len(claim) + 2 : end].strip().rstrip(";").strip()
    return text[: found[0][0]].strip(), reasons


def _source_words(row) -> str:
    if row.confidence == "paper":
        return "the paper"
    return short_title(row.source_title) if _given(row.source_title) else "no source found"


def _claim_label(row) -> str:
    source = _source_words(row)
    return f"{row.scope_as_stated} ({source})"


def _given(value) -> bool:
    return value is not None and not pd.isna(value) and str(value) != ""


def _recipients(data: ReportInputs) -> pd.DataFrame:
    """The totals' recipients: the region first, then the states in the paper's order."""
    order = country_order(data.indicators, data.countries)
    rank = {code: i + 1 for i, code in enumerate(order)}
    totals = data.funding_totals
    return totals.assign(_o=totals["recipient_code"].map(lambda c: rank.get(c, 0))).sort_values(
        ["_o", "recipient_name"], kind="stable"
    )


def funding_section(data: ReportInputs) -> Section:
    funding, totals = data.funding, _recipients(data)
    labels = {r.claim_id: _claim_label(r) for r in funding.itertuples()}
    names = dict(zip(totals["recipient_code"], totals["recipient_name"], strict=False))
    status: dict[str, str] = {}  # claim -> 'the figure to use' or 'left out: why'
    total_rows, chosen_lines = [], []
    for total in totals.itertuples():
        left_out = list(total.claim_ids_left_out) if total.claim_ids_left_out is not None else []
        _, why = reasons_by_claim(total.left_out_reasons, left_out)
        prefix, missing = reasons_by_claim(total.total_missing_reason, list(labels))
        for claim in left_out:
            status[claim] = f"left out: {why.get(claim, 'see the rule')}"
        used = total.claim_id_used if _given(total.claim_id_used) else None
        if used:
            status[used] = "the figure to use"
        figure = money(total.total_eur) if used else "none chosen"
        reason = "; ".join(f"{labels.get(c, humanize(c))}: {w}" for c, w in why.items())
        if not used:
            reason = " ".join(
                [prefix] + [f"{labels.get(c, humanize(c))}: {w}." for c, w in missing.items()]
            ).strip()
        part_of = list(total.part_of_totals_of) if total.part_of_totals_of is not None else []
        total_rows.append(
            [
                total.recipient_name,
                figure,
                (link(labels[used], _url(funding, used)),) if used else "",
                reason,
                ", ".join(names.get(code, humanize(code)) for code in part_of),
            ]
        )
        chosen_lines.append(
            (
                Strong(f"{total.recipient_name}: {figure}"),
                f" ({labels[used]})" if used else f". {prefix}".rstrip(),
            )
        )
    rule = str(totals["rule"].dropna().iloc[0]) if totals["rule"].notna().any() else ""
    known = funding[funding["is_amount_known"]]
    unknown = funding[~funding["is_amount_known"]]
    blocks = [
        paragraph(
            "Many claims describe overlapping envelopes (a country's allocation is part of the "
            "regional total), so adding them up double-counts. One figure per recipient is the "
            "one to use; country figures are parts of the Central Asia figure, never added to "
            f"it. The rule that chooses it: {rule}"
        ),
        Heading("The figure to use, per recipient", "funding-totals"),
        Items(tuple(chosen_lines), "figures"),
        *_disputes(known, status, labels),
        table(
            "One figure per recipient, 2014–2020, and the claims left out.",
            ["Recipient", "Figure to use#", "From", "Left out, or why there is none", "Part of"],
            total_rows,
        ),
        _chart(totals, known, unknown, status, labels),
        Heading("Claims without an amount, and why", "funding-unknown"),
        Items(tuple(_unknown_line(r) for r in _in_order(unknown, totals).itertuples()), "unknown"),
        Heading("Every claim with an amount", "funding-claims"),
        table(
            "Every claim with an amount, by recipient.",
            ["Recipient", "What it covers", "Amount#", "As the source says", "Status", "Source"],
            [
                [
                    r.recipient_name,
                    r.scope_as_stated,
                    money(r.amount_eur),
                    humanize(r.amount_qualifier),
                    status.get(r.claim_id, ""),
                    (link(_source_words(r), r.source_url),)
                    if _given(r.source_title)
                    else "no source found",
                ]
                for r in _in_order(known, totals).itertuples()
            ],
            folded=True,
        ),
    ]
    return Section("funding", "EU funding for Central Asia, 2014–2020", blocks)


def _url(funding: pd.DataFrame, claim: str):
    hit = funding[funding["claim_id"] == claim]
    return hit.iloc[0]["source_url"] if len(hit) and _given(hit.iloc[0]["source_url"]) else None


def _in_order(claims: pd.DataFrame, totals: pd.DataFrame) -> pd.DataFrame:
    rank = {code: i for i, code in enumerate(totals["recipient_code"])}
    keys = claims["recipient_code"].map(lambda c: rank.get(c, len(rank)))
    return claims.assign(_o=keys).sort_values(["_o", "claim_id"], kind="stable")


def _disputes(known: pd.DataFrame, status: dict, labels: dict) -> list:
    disputed = known[known["is_disputed"]]
    lines = []
    for name, group in disputed.groupby("recipient_name", sort=True):
        parts = [
            f"{money(r.amount_eur)} ({labels[r.claim_id]}, {status.get(r.claim_id, 'no status')})"
            for r in group.itertuples()
        ]
        lines.append(f"Sources disagree for {name}: " + " against ".join(parts) + ".")
    return [paragraph(line) for line in lines]


def _unknown_line(row) -> tuple:
    source = (
        (link(_source_words(row), row.source_url),)
        if _given(row.source_title)
        else ("no source found",)
    )
    return (
        Strong(f"{row.recipient_name}, {row.scope_as_stated}: {humanize(row.amount_qualifier)}."),
        f" {row.amount_missing_reason or ''} Source: ".replace("  ", " "),
        *source,
        ".",
    )


def _chart(totals, known, unknown, status, labels) -> Chart:
    groups = []
    for total in totals.itertuples():
        mine = known[known["recipient_code"] == total.recipient_code].sort_values(
            "amount_eur", ascending=False, kind="stable"
        )
        bars = [
            charts.Bar(
                labels[r.claim_id],
                float(r.amount_eur) / 1e6,
                status.get(r.claim_id) == "the figure to use",
                status.get(r.claim_id, ""),
            )
            for r in mine.itertuples()
        ]
        missing = unknown[unknown["recipient_code"] == total.recipient_code]
        words = sorted({humanize(q) for q in missing["amount_qualifier"]})
        note = (
            f"No amount for {count(len(missing), 'claim')} ({', '.join(words)}): "
            "listed under the chart."
            if len(missing)
            else ""
        )
        groups.append(charts.BarGroup(total.recipient_name, bars, note))
    figure = charts.funding_bars(
        groups,
        "EU funding claims for Central Asia, 2014–2020",
        "€ million, 2014–2020",
        millions_text,
    )
    return Chart(
        "funding_bars",
        figure,
        "EU funding for Central Asia, 2014–2020: the figure to use against the claims left out",
        "Amount of each claim in € million over 2014–2020, on one scale from zero; solid: the "
        "figure to use, outlined: a claim left out. Claims overlap: do not add the bars.",
        (
            "Sources: the EEAS, the European Commission, the press and the paper, each named in "
            "the tables; the choice is ",
            link("the project's stated rule", "#funding-totals"),
            ".",
        ),
        "The amounts are in the tables of this section.",
    )
