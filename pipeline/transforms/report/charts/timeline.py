"""The timeline: the events in date order, one row each, so that every event carries its own
label and no marker can hide another. An event of a date is a dot; a period (the paper's
'between 2007 and 2019') a bar from its first year to its last; an event with an erratum is
a diamond outlined in black and says so in words. An event that concerns several countries,
or the whole region, is one row that names them. Years stand at the left where they change;
rows are in order, not to scale, and the chart says so.

Belongs here: drawing it. Stays out: choosing the events and their words (the sections).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.transforms.report.charts.svg import (
    LINE,
    MUTED_INK,
    NARROW,
    NORMAL,
    SMALL,
    WIDE,
    Figure,
    LegendItem,
    legend,
    line,
    lines,
    rect,
    svg,
    text,
    wrap,
)

EVENT = "#0072B2"
ERRATUM = "#D55E00"
YEAR_W, SPAN_W, MARKER_R = 40, 8, 6.0


@dataclass(frozen=True)
class Event:
    start: float  # year and fraction of it, e.g. 2022.5
    end_year: int | None  # the last year of a period; None for a dated event
    date_text: str  # the date as the paper prints it
    label: str
    where: str  # the countries it concerns, in words
    has_erratum: bool
    number: int  # its number in the table below the chart


def timeline(events: list[Event], title: str) -> Figure:
    ordered = sorted(events, key=lambda e: (e.start, e.number))
    desc = "Timeline, events in date order. " + "; ".join(
        f"{e.number}. {e.date_text}: {e.label} ({e.where})"
        + (" - has an erratum" if e.has_erratum else "")
        for e in ordered
    )
    return Figure(
        _timeline(ordered, title, desc, WIDE, "timeline"),
        _timeline(ordered, title, desc, NARROW, "timeline-n"),
    )


def _span_columns(events: list[Event], rows: list[tuple[float, float]]) -> dict[int, int]:
    """The column of each period's bar: the first whose last bar ended above this one."""
    ends: list[float] = []
    columns = {}
    for index, event in enumerate(events):
        if event.end_year is None:
            continue
        top, bottom = rows[index][0], _span_bottom(events, rows, index)
        free = [c for c, end in enumerate(ends) if end < top]
        column = free[0] if free else len(ends)
        if column == len(ends):
            ends.append(bottom)
        ends[column] = bottom
        columns[index] = column
    return columns


def _span_bottom(events: list[Event], rows: list[tuple[float, float]], index: int) -> float:
    """The centre of the last row in the period's last year (the foot of the chart when no
    event is that late)."""
    end = events[index].end_year
    inside = [i for i, e in enumerate(events) if int(e.start) <= end and i >= index]
    last = max(inside)
    if last == len(events) - 1 and int(events[last].start) < end:
        return rows[last][1] + 6
    return rows[last][0]


def _timeline(events: list[Event], title, desc, width: float, chart_id: str) -> str:
    has_spans = any(e.end_year is not None for e in events)
    text_w = width - YEAR_W - 60
    blocks = []
    for event in events:
        first = wrap(f"{event.number}. {event.label}", text_w, NORMAL)
        details = " · ".join(
            [event.date_text, event.where] + (["has an erratum"] if event.has_erratum else [])
        )
        blocks.append((first, wrap(details, text_w, SMALL)))
    y, rows = 8.0, []
    for first, second in blocks:
        height = len(first) * NORMAL * LINE + len(second) * SMALL * LINE + 8
        rows.append((y + NORMAL * LINE / 2 + 1, y + height))
        y += height
    columns = _span_columns(events, rows)
    n_columns = max(columns.values(), default=-1) + 1
    marker_x = YEAR_W + 10 + n_columns * SPAN_W + MARKER_R
    text_x = marker_x + MARKER_R + 8
    body, year = [], None
    for index, event in enumerate(events):
        centre, bottom = rows[index]
        top = centre - NORMAL * LINE / 2 - 1
        if int(event.start) != year:
            year = int(event.start)
            body.append(line(0, top, width, top, "#d9d9d9"))
            body.append(
                text(
                    YEAR_W - 4,
                    centre + 4,
                    str(year),
                    SMALL,
                    "end",
                    weight="bold",
                    extra=f" class='tick' data-value='{year}'",
                )
            )
        if index in columns:
            x = YEAR_W + 10 + columns[index] * SPAN_W
            span_end = _span_bottom(events, rows, index)
            body.append(rect(x, centre, 4, span_end - centre, EVENT, " class='span'"))
            body.append(line(x, centre, marker_x, centre, EVENT, " stroke-width='2'"))
        body.append(_marker(marker_x, centre, event))
        first, second = blocks[index]
        body.append(lines(text_x, centre + 4, first, NORMAL, weight="bold"))
        body.append(
            lines(text_x, centre + 4 + len(first) * NORMAL * LINE, second, SMALL, fill=MUTED_INK)
        )
    items = [
        LegendItem("an event, at its date", lambda x, yy: _dot(x + 8, yy + 7)),
        LegendItem(
            "has an erratum (the paper's date or words are wrong)",
            lambda x, yy: _diamond(x + 8, yy + 7),
        ),
    ]
    if has_spans:
        items.insert(
            1,
            LegendItem(
                "a period, from its first year to its last",
                lambda x, yy: rect(x + 6, yy, 4, 14, EVENT),
            ),
        )
    note = "Events in date order, one row each: rows are not to scale."
    note_rows = wrap(note, width - 8, SMALL)
    body.append(lines(4, y + 8 + SMALL, note_rows, SMALL, fill=MUTED_INK))
    y += 8 + len(note_rows) * SMALL * LINE
    legend_svg, legend_h = legend(items, 4, y + 8, width - 8)
    body.append(legend_svg)
    return svg(width, y + 8 + legend_h + 4, title, desc, body, chart_id)


def _dot(x: float, y: float) -> str:
    return f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{MARKER_R}' fill='{EVENT}'/>"


def _diamond(x: float, y: float) -> str:
    r = MARKER_R + 1.5
    return (
        f"<path d='M {x:.1f} {y - r:.1f} L {x + r:.1f} {y:.1f} L {x:.1f} {y + r:.1f} "
        f"L {x - r:.1f} {y:.1f} Z' fill='{ERRATUM}' stroke='#000000' stroke-width='2'/>"
    )


def _marker(x: float, y: float, event: Event) -> str:
    shape = _diamond(x, y) if event.has_erratum else _dot(x, y)
    kind = "marker erratum" if event.has_erratum else "marker"
    return f"<g class='{kind}' data-number='{event.number}'>{shape}</g>"
