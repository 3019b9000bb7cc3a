"""The dated events of the paper: a timeline that reads on its own (each event labelled with its
date as printed and the countries it concerns, periods drawn from first year to last, an event
of all five states drawn once) and the events in full in a table keyed by their numbers.

Belongs here: that section. Stays out: drawing (pipeline/transforms/report/charts/timeline.py).
"""

from __future__ import annotations

import re

import pandas as pd

from pipeline.transforms.report import charts
from pipeline.transforms.report.blocks import Chart, Section, paragraph, table
from pipeline.transforms.report.inputs import ReportInputs
from pipeline.transforms.report.words import count, country_names, country_order, humanize

# A period as the paper prints it: 'between 2007 and 2019', '2014–2020'.
_PERIOD = re.compile(r"(?:between\s+)?(\d{4})\s*(?:and|–|-|to)\s*(\d{4})")
_DATE_CHARS = {"day": 10, "month": 7, "year": 4}


def period_end(date_as_printed) -> int | None:
    match = _PERIOD.search(str(date_as_printed or ""))
    return int(match.group(2)) if match and int(match.group(2)) > int(match.group(1)) else None


def where(codes, actor, names: dict[str, str], central: list[str]) -> str:
    """The countries an event concerns, in words; all five states named once as such."""
    codes = list(codes) if codes is not None else []
    if central and set(central) <= set(codes):
        others = [names.get(c, c) for c in codes if c not in central]
        return ", ".join(["all five Central Asian states", *others])
    if codes:
        order = {c: i for i, c in enumerate(central)}
        ordered = sorted(codes, key=lambda c: (order.get(c, len(order)), c))
        return ", ".join(names.get(c, c) for c in ordered)
    return str(actor) if actor is not None and not pd.isna(actor) else "no country named"


def timeline_section(data: ReportInputs) -> Section:
    events = data.timeline.sort_values(["event_date", "event_id"]).reset_index(drop=True)
    names = country_names(data.countries)
    central = [
        c
        for c in country_order(data.indicators, data.countries)
        if c in set(data.countries[data.countries["is_central_asia"]]["country_iso3"])
    ]
    numbers = {r.event_id: i for i, r in enumerate(events.itertuples(), start=1)}
    points, rows = [], []
    for r in events.itertuples():
        date = pd.Timestamp(r.event_date)
        erratum = r.erratum if r.erratum is not None and not pd.isna(r.erratum) else ""
        place = where(r.country_iso3s, r.actor, names, central)
        points.append(
            charts.Event(
                date.year + (date.dayofyear - 1) / 366,
                period_end(r.date_as_printed),
                _printed(r),
                r.title,
                place,
                bool(erratum),
                numbers[r.event_id],
            )
        )
        rows.append(
            [
                str(numbers[r.event_id]),
                str(r.event_date)[: _DATE_CHARS.get(r.date_precision, 10)],
                place,
                data.vocabulary.categories.get(r.category) or humanize(r.category),
                r.title,
                r.description,
                "; ".join(r.citation_keys)
                if r.citation_keys is not None and len(r.citation_keys)
                else "none",
                erratum,
            ]
        )
    n_errata = sum(1 for p in points if p.has_erratum)
    return Section(
        "timeline",
        "Timeline of the events in the paper",
        [
            paragraph(
                f"{count(len(events), 'dated event')} the paper mentions, in date order; "
                f"{n_errata} carry an erratum (the paper's date or words are kept, the "
                "correction is in the table)."
            ),
            Chart(
                "timeline",
                charts.timeline(points, "Events in the paper, in date order"),
                "What happened when, as the paper tells it",
                "Each event at its date as the paper prints it, with the countries it concerns; "
                "a bar is a period, a diamond an event with an erratum",
                ("Source: the paper's text; corrections from the errata's public sources.",),
                "Each event in full in the table below, by its number.",
            ),
            table(
                "Events (date as precise as the paper gives it).",
                [
                    "#",
                    "Date",
                    "Countries",
                    "Category",
                    "Event",
                    "What the paper says",
                    "Paper cites",
                    "Erratum",
                ],
                rows,
                folded=True,
            ),
        ],
    )


def _printed(row) -> str:
    """The date as printed, without the paper's parentheses: '(1953)' -> '1953'."""
    printed = str(row.date_as_printed or "").strip().strip("()").strip()
    return printed or str(row.event_date)[: _DATE_CHARS.get(row.date_precision, 10)]
