"""The line chart: values across editions (a categorical x axis, in order), each series with
its own colour and marker shape, named at the end of its line where there is room (the wide
layout) and in a legend under the plot otherwise. Both axes are titled; a value axis that does
not start at zero carries a break mark at its foot and says so under the plot.

Belongs here: drawing it. Stays out: choosing the series (the report's sections).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.transforms.report.charts.svg import (
    LINE,
    MUTED_INK,
    NARROW,
    SERIES_COLOURS,
    SMALL,
    WIDE,
    Figure,
    LegendItem,
    LinearScale,
    break_mark,
    legend,
    line,
    lines,
    nice_ticks,
    svg,
    text,
    text_width,
    tick,
    tick_label,
    wrap,
)

END_LABEL_W = 200  # room for the names at the ends of the lines (wide layout)


@dataclass(frozen=True)
class Series:
    label: str
    points: list[tuple[int, float]]  # (edition year, score)
    dashed: bool = False


@dataclass(frozen=True)
class Axes:
    """What the axes say: their titles, and how a value is written at a line's end."""

    x_title: str
    y_title: str


def line_chart(
    series: list[Series], x_labels: dict[int, str], title: str, axes: Axes | None = None
) -> Figure:
    """Values across editions; dashed lines are averages. The y axis runs between round ticks
    around the data."""
    axes = axes or Axes("edition", "value")
    desc = "Line chart. " + "; ".join(
        f"{s.label}: " + ", ".join(f"{x_labels[y]} {v:.4f}" for y, v in s.points) for s in series
    )
    return Figure(
        _line_chart(series, x_labels, title, desc, axes, WIDE, 280, "trend", direct=True),
        _line_chart(series, x_labels, title, desc, axes, NARROW, 220, "trend-n", direct=False),
    )


def _line_chart(series, x_labels, title, desc, axes, width, plot_h, chart_id, direct) -> str:
    values = [v for s in series for _, v in s.points]
    ticks = nice_ticks(min(values, default=0) - 0.01, max(values, default=1) + 0.01, 6)
    step = ticks[1] - ticks[0]
    left = max(text_width(tick_label(t, step), SMALL) for t in ticks) + 14
    top = 12 + SMALL * LINE + 6  # the y axis's title above the plot
    plot_w = width - left - 16 - (END_LABEL_W if direct else 0)
    years = sorted(x_labels)
    x_of = LinearScale(0, max(len(years) - 1, 1), left + 8, left + plot_w - 8)
    y_of = LinearScale(ticks[0], ticks[-1], top + plot_h, top)
    body = [text(4, 12 + SMALL, axes.y_title, SMALL, fill=MUTED_INK, weight="bold")]
    body.append(y_axis(ticks, step, y_of, left, plot_w))
    if ticks[0] > 0:
        body.append(break_mark(left, top + plot_h - 4, horizontal=False))
    label_w = max(text_width(x_labels[y], SMALL) for y in years) + 8
    every = max(1, math.ceil(label_w / max(x_of(1) - x_of(0), 1)))
    for i, year in enumerate(years):
        body.append(line(x_of(i), top + plot_h, x_of(i), top + plot_h + 4, "#888888"))
        if i % every == 0 or i == len(years) - 1 and (len(years) - 1) % every == 0:
            body.append(tick(x_of(i), top + plot_h + 18, x_labels[year], year, "middle"))
    y = top + plot_h + 22
    notes = [axes.x_title]
    if ticks[0] > 0:
        notes.append(f"The value axis starts at {tick_label(ticks[0], step)}, not at zero.")
    for note in notes:
        rows = wrap(note, width - 8, SMALL)
        y += SMALL * LINE
        body.append(lines(left if note is notes[0] else 4, y, rows, SMALL, fill=MUTED_INK))
        y += (len(rows) - 1) * SMALL * LINE
    items, ends = [], []
    for index, one in enumerate(series):
        colour = SERIES_COLOURS[index % len(SERIES_COLOURS)]
        coords = [(x_of(years.index(yr)), y_of(v)) for yr, v in one.points]
        body.append(_series_path(coords, colour, index, one.dashed))
        items.append(LegendItem(one.label, _series_swatch(colour, index, one.dashed)))
        if coords:
            ends.append((coords[-1], one.label, colour))
    if direct:
        body.append(_end_labels(ends, left + plot_w + 6, top, top + plot_h))
        return svg(width, y + 8, title, desc, body, chart_id)
    legend_svg, legend_h = legend(items, 4, y + 10, width - 8)
    body.append(legend_svg)
    return svg(width, y + 10 + legend_h + 4, title, desc, body, chart_id)


def _end_labels(ends, x: float, top: float, bottom: float) -> str:
    """Each series named beside its last point, moved apart vertically (in order) so that no
    two names overlap; a line joins a moved name to its point."""
    placed, parts = [], []
    for (px, py), label, colour in sorted(ends, key=lambda e: e[0][1]):
        rows = wrap(label, END_LABEL_W - 14, SMALL)
        height = len(rows) * SMALL * LINE
        want = py - height / 2
        if placed:
            want = max(want, placed[-1] + 3)
        placed.append(want + height)
        parts.append((px, py, want, rows, colour, height))
    overflow = placed[-1] - bottom - 20 if placed else 0
    out = ["<g class='end-labels'>"]
    for px, py, want, rows, colour, height in parts:
        y0 = want - max(overflow, 0)
        mid = y0 + height / 2
        out.append(line(px + 5, py, x - 2, mid, colour, " stroke-width='1'"))
        out.append(lines(x, y0 + SMALL, rows, SMALL, fill="#111111", weight="bold"))
    out.append("</g>")
    return "".join(out)


def y_axis(ticks: list[float], step: float, y_of: LinearScale, left: float, plot_w: float):
    parts = []
    for value in ticks:
        y = y_of(value)
        parts.append(line(left, y, left + plot_w, y, "#e6e6e6"))
        parts.append(tick(left - 6, y + 4, tick_label(value, step), value, "end", "tick y"))
    parts.append(line(left, y_of(ticks[0]), left + plot_w, y_of(ticks[0]), "#888888"))
    parts.append(line(left, y_of(ticks[0]), left, y_of(ticks[-1]), "#888888"))
    return "<g class='axis-y'>" + "".join(parts) + "</g>"


def _series_path(coords, colour: str, index: int, dashed: bool) -> str:
    if not coords:
        return ""
    path = " ".join(f"{'M' if i == 0 else 'L'} {x:.1f} {y:.1f}" for i, (x, y) in enumerate(coords))
    dash = " stroke-dasharray='6 4'" if dashed else ""
    parts = [f"<path d='{path}' fill='none' stroke='{colour}' stroke-width='2'{dash}/>"]
    parts += [point_marker(x, y, colour, index) for x, y in coords]
    return "".join(parts)


def _series_swatch(colour: str, index: int, dashed: bool) -> Callable[[float, float], str]:
    dash = " stroke-dasharray='4 3'" if dashed else ""
    return lambda x, y: (
        line(x, y + 7, x + 16, y + 7, colour, f" stroke-width='2'{dash}")
        + point_marker(x + 8, y + 7, colour, index)
    )


def point_marker(x: float, y: float, colour: str, index: int) -> str:
    shape = index % 3
    if shape == 0:
        return f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3.5' fill='{colour}'/>"
    if shape == 1:
        return f"<rect x='{x - 3.5:.1f}' y='{y - 3.5:.1f}' width='7' height='7' fill='{colour}'/>"
    triangle = f"M {x:.1f} {y - 4:.1f} L {x + 4:.1f} {y + 3:.1f} L {x - 4:.1f} {y + 3:.1f} Z"
    return f"<path d='{triangle}' fill='{colour}'/>"
