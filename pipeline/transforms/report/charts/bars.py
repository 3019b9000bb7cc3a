"""Funding bars: the claims with an amount, grouped by recipient, on one scale from zero. The
figure chosen for a recipient is a solid bar; a claim left out is an outlined, dashed bar, so
the two never look alike. An unknown amount is never drawn: its group says in words that no
amount is known, and the report lists those claims with their reasons.

Belongs here: drawing it. Stays out: choosing the figure (marts.funding_totals decides).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.transforms.report.charts.svg import (
    LINE,
    MUTED_INK,
    NARROW,
    NORMAL,
    SMALL,
    WIDE,
    Figure,
    LegendItem,
    LinearScale,
    legend,
    line,
    lines,
    nice_ticks,
    rect,
    svg,
    text,
    text_width,
    tick,
    wrap,
)

CHOSEN = "#0072B2"
LEFT_OUT = f" stroke='{CHOSEN}' stroke-width='1.5' stroke-dasharray='4 3'"
BAR_H = 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: float  # a known amount, in the chart's unit
    chosen: bool
    note: str = ""  # e.g. why it was left out


@dataclass(frozen=True)
class BarGroup:
    name: str
    bars: list[Bar] = field(default_factory=list)
    without_amount: str = ""  # said in words where a claim of the group has no amount


def funding_bars(
    groups: list[BarGroup], title: str, axis_title: str, value_text: Callable[[float], str]
) -> Figure:
    """Wide: labels beside the bars; narrow: above them. One axis from zero for all."""
    desc = "Funding bars. " + "; ".join(
        f"{g.name}: "
        + ", ".join(
            f"{b.label} {value_text(b.value)} ({'chosen' if b.chosen else 'left out'})"
            for b in g.bars
        )
        + (f" {g.without_amount}" if g.without_amount else "")
        for g in groups
    )
    layout = (groups, title, axis_title, value_text, desc)
    return Figure(_bars(*layout, WIDE, 330, "funding"), _bars(*layout, NARROW, 0, "funding-n"))


def _bars(groups, title, axis_title, value_text, desc, width, label_w, chart_id) -> str:
    plot_x = label_w + 10 if label_w else 0
    values = [b.value for g in groups for b in g.bars]
    value_w = max([text_width(value_text(v), SMALL) for v in values] or [0]) + 10
    ticks = nice_ticks(0, max(values or [1]), 5 if label_w else 4)
    plot_end = width - value_w - 4
    x_of = LinearScale(0, ticks[-1], plot_x, plot_end)
    body = [text(plot_x, 12 + SMALL, axis_title, SMALL, fill=MUTED_INK, weight="bold")]
    axis_y = 12 + SMALL * LINE + 22
    for value in ticks:
        label = f"{value:,.0f}"  # the unit is in the axis title
        anchor = "start" if value == ticks[0] else "end" if value == ticks[-1] else "middle"
        body.append(tick(x_of(value), axis_y - 6, label, value, anchor))
    y = axis_y + 4
    top_of_plot = y
    for group in groups:
        rows = wrap(group.name, width - 8, NORMAL)
        body.append(lines(0 if not label_w else 4, y + NORMAL, rows, NORMAL, weight="bold"))
        y += len(rows) * NORMAL * LINE + 6
        for bar in group.bars:
            y = _bar(body, bar, y, label_w, plot_x, x_of, value_text, width)
        if group.without_amount:
            text_x = plot_x if label_w else 0
            rows = wrap(group.without_amount, width - text_x - 4, SMALL)
            body.append(lines(text_x, y + SMALL, rows, SMALL, fill=MUTED_INK))
            y += len(rows) * SMALL * LINE + 6
        y += 8
    grid = [line(x_of(v), top_of_plot, x_of(v), y, "#e6e6e6") for v in ticks]
    grid.append(line(x_of(0), top_of_plot, x_of(0), y, "#888888"))
    legend_svg, legend_h = legend(_legend_items(), 4, y + 8, width - 8)
    return svg(width, y + 8 + legend_h + 4, title, desc, grid + body + [legend_svg], chart_id)


def _bar(body, bar: Bar, y, label_w, plot_x, x_of, value_text, width) -> float:
    label = bar.label
    if label_w:
        rows = wrap(label, label_w - 16, SMALL)
        body.append(lines(label_w - 4, y + SMALL, rows, SMALL, "end"))
        bar_y = y
        label_h = len(rows) * SMALL * LINE
    else:
        rows = wrap(label, width - 4, SMALL)
        body.append(lines(0, y + SMALL, rows, SMALL))
        bar_y = y + len(rows) * SMALL * LINE + 2
        label_h = 0
    length = max(x_of(bar.value) - plot_x, 1)
    if bar.chosen:
        body.append(rect(plot_x, bar_y, length, BAR_H, CHOSEN, " class='bar chosen'"))
    else:
        body.append(
            rect(
                plot_x + 0.75,
                bar_y + 0.75,
                length - 1.5,
                BAR_H - 1.5,
                "#ffffff",
                LEFT_OUT + " class='bar left-out'",
            )
        )
    body.append(text(plot_x + length + 6, bar_y + 12, value_text(bar.value), SMALL, weight="bold"))
    bottom = bar_y + BAR_H + 4
    if bar.note:
        rows = wrap(bar.note, width - plot_x - 4, SMALL)
        body.append(lines(plot_x, bottom + SMALL, rows, SMALL, fill=MUTED_INK))
        bottom += len(rows) * SMALL * LINE + 2
    return max(bottom, y + label_h) + 6


def _legend_items() -> list[LegendItem]:
    return [
        LegendItem(
            "the figure to use (one per recipient)", lambda x, y: rect(x, y, 16, 14, CHOSEN)
        ),
        LegendItem(
            "claim left out (overlaps or disputes the chosen figure)",
            lambda x, y: rect(
                x + 0.75,
                y + 0.75,
                14.5,
                12.5,
                "#ffffff",
                f" stroke='{CHOSEN}' stroke-width='1.5' stroke-dasharray='4 3'",
            ),
        ),
    ]
