"""Small multiples with an interval band: one panel per country, the value as a line over its
interval, and under it a strip of a category per year; every panel on the same axes, which
start at zero. The legend names only the categories that occur.

Belongs here: drawing it. Stays out: choosing the values (the report's sections).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipeline.transforms.report.charts.lines import y_axis
from pipeline.transforms.report.charts.svg import (
    LINE,
    MUTED_INK,
    NARROW,
    NORMAL,
    SMALL,
    UNKNOWN_FILL,
    WIDE,
    Figure,
    LegendItem,
    LinearScale,
    legend,
    line,
    nice_ticks,
    rect,
    svg,
    swatch_rect,
    text,
    text_width,
    tick,
    tick_label,
)

PANEL_TITLE_H = 28  # room for a panel's title above its top tick label
BAND = "#0072B2"


@dataclass(frozen=True)
class Panel:
    label: str
    points: list[tuple[int, float, float, float]]  # (year, value, low, high)
    categories: list[tuple[int, int]]  # (year, category code), drawn as a strip under the plot


@dataclass(frozen=True)
class Categories:
    """The strip's categories: names and colours by code, in their display order."""

    names: dict[int, str]
    colours: dict[int, str]


def interval_panels(
    panels: list[Panel],
    title: str,
    categories: Categories,
    value_name: str,
    band_name: str,
    y_title: str = "",
) -> Figure:
    """Wide: three panels per row; narrow: one per row."""
    names = categories.names
    desc = f"{value_name}, {band_name}, by year. " + "; ".join(
        f"{p.label}: "
        + ", ".join(
            f"{y} {v:.3f} ({lo:.3f}-{hi:.3f}, {names.get(dict(p.categories).get(y), 'unknown')})"
            for y, v, lo, hi in p.points
        )
        for p in panels
    )
    items = [
        LegendItem(
            value_name, lambda x, y: line(x, y + 7, x + 16, y + 7, BAND, " stroke-width='2'")
        )
    ]
    items.append(LegendItem(band_name, swatch_rect(BAND, extra=" fill-opacity='0.25'")))
    present = {code for p in panels for _, code in p.categories}
    items += [
        LegendItem(name, swatch_rect(categories.colours.get(code, UNKNOWN_FILL)))
        for code, name in names.items()
        if code in present
    ]
    layout = (panels, title, desc, items, categories.colours, y_title)
    return Figure(
        _panels(*layout, WIDE, 3, 140, "panels"), _panels(*layout, NARROW, 1, 120, "panels-n")
    )


def _panels(panels, title, desc, legend_items, colours, y_title, width, per_row, plot_h, chart_id):
    highs = [hi for p in panels for _, _, _, hi in p.points]
    ticks = nice_ticks(0, max(highs, default=1), 4)
    step = ticks[1] - ticks[0]
    years = sorted({y for p in panels for y, *_ in p.points} or {0})
    cell_w = (width - 8) / per_row
    left = max(text_width(tick_label(t, step), SMALL) for t in ticks) + 10
    panel_h = PANEL_TITLE_H + plot_h + 8 + 10 + 22
    top = 4 + (SMALL * LINE + 6 if y_title else 0)
    body = [text(4, 4 + SMALL, y_title, SMALL, fill=MUTED_INK, weight="bold")] if y_title else []
    for index, panel in enumerate(panels):
        x0, y0 = (index % per_row) * cell_w, top + (index // per_row) * (panel_h + 10)
        body.append(_panel(panel, x0, y0, cell_w - 12, left, plot_h, ticks, step, years, colours))
    rows = math.ceil(len(panels) / per_row)
    legend_svg, legend_h = legend(legend_items, 4, top + rows * (panel_h + 10), width - 8)
    body.append(legend_svg)
    return svg(width, top + rows * (panel_h + 10) + legend_h + 4, title, desc, body, chart_id)


def _panel(panel, x0, y0, w, left, plot_h, ticks, step, years, colours) -> str:
    plot_x, plot_y, plot_w = x0 + left, y0 + PANEL_TITLE_H, w - left
    x_of = LinearScale(years[0], max(years[-1], years[0] + 1), plot_x + 4, plot_x + plot_w - 4)
    y_of = LinearScale(ticks[0], ticks[-1], plot_y + plot_h, plot_y)
    parts = [text(x0, y0 + 13, panel.label, NORMAL, weight="bold")]
    parts.append(y_axis(ticks, step, y_of, plot_x, plot_w))
    if panel.points:
        upper = [(x_of(y), y_of(hi)) for y, _, _, hi in panel.points]
        lower = [(x_of(y), y_of(lo)) for y, _, lo, _ in reversed(panel.points)]
        outline = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower)
        parts.append(f"<polygon points='{outline}' fill='{BAND}' fill-opacity='0.25'/>")
        trace = " ".join(f"{x_of(y):.1f},{y_of(v):.1f}" for y, v, _, _ in panel.points)
        parts.append(f"<polyline points='{trace}' fill='none' stroke='{BAND}' stroke-width='2'/>")
    strip_y = plot_y + plot_h + 8
    year_w = (x_of(years[-1]) - x_of(years[0])) / max(len(years) - 1, 1)
    by_year = dict(panel.categories)
    for year in years:
        fill = colours.get(by_year.get(year), UNKNOWN_FILL)
        parts.append(rect(x_of(year) - year_w / 2, strip_y, year_w, 10, fill))
    label_w = text_width("2000", SMALL) + 8
    year_ticks = [int(y) for y in nice_ticks(years[0], years[-1], 6) if years[0] <= y <= years[-1]]
    spacing = (x_of(year_ticks[-1]) - x_of(year_ticks[0])) / max(len(year_ticks) - 1, 1)
    every = max(1, math.ceil(label_w / max(spacing, 1)))
    for year in year_ticks[::every]:
        parts.append(tick(x_of(year), strip_y + 24, str(year), year, "middle"))
    return "".join(parts)
