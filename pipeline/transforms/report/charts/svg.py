"""The building blocks every chart is drawn with: text and its estimated width, round ticks and
linear scales, SVG elements with every label escaped, legends that wrap to the chart's own
width, and the ink that reads on a fill (WCAG contrast).

Belongs here: drawing primitives from plain values to SVG strings. Stays out: any one chart.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# Line colours that read on white at 3:1 or more (graphics, WCAG 1.4.11): Okabe-Ito's darker hues.
SERIES_COLOURS = ("#0072B2", "#B85C00", "#007A5A", "#A6417E", "#5A5A5A", "#C23B00")
BLUE_RAMP = ("#08306b", "#2171b5", "#6baed6", "#c6dbef", "#f7fbff")  # best -> worst
DARK_INK = "#222222"
MUTED_INK = "#4d4d4d"  # 8.5:1 on white
UNKNOWN_FILL = "url(#hatch)"
FONT = "font-family='system-ui, -apple-system, Segoe UI, Roboto, sans-serif'"
# viewBox widths: the wide one is shown at 1:1 from 960 px; the narrow one at 1:1 or more from
# 320 px (304 px of content), so no text is ever drawn below its own size.
WIDE, NARROW = 920, 300
SMALL, NORMAL = 11, 12  # font sizes (px at 1:1); nothing is smaller than SMALL
NARROW_SUFFIX = "-n"  # the narrow layout's chart id: the wide one's plus this
CHAR_EM = 0.62  # a generous average glyph width for system-ui, in em
LINE = 1.3  # line height, in em


@dataclass(frozen=True)
class Figure:
    """One chart in its two layouts."""

    wide: str
    narrow: str


# --- text and scales --------------------------------------------------------------------------


def text_width(text: str, size: float) -> float:
    """An upper estimate of the rendered width of `text` at `size` px."""
    return len(text) * size * CHAR_EM


def wrap(text: str, width: float, size: float) -> list[str]:
    """Words of `text` in lines no wider than `width` (a single longer word keeps its line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def nice_step(span: float, max_ticks: int) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^k giving at most `max_ticks` ticks over `span`."""
    raw = span / max(max_ticks - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw * (1 - 1e-9))


def nice_ticks(low: float, high: float, max_ticks: int = 6) -> list[float]:
    """Round tick values covering [low, high]: the axis runs from the first to the last."""
    if high - low < 1e-9:
        low, high = low - 0.5, high + 0.5
    step = nice_step(high - low, max_ticks)
    first, last = math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step
    return [round(first + i * step, 10) for i in range(round((last - first) / step) + 1)]


def tick_label(value: float, step: float) -> str:
    """`value` with as many decimals as `step` needs (0.45, 2020, 0.125)."""
    decimals = 0
    while abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6 and decimals < 6:
        decimals += 1
    return f"{value:.{decimals}f}"


@dataclass(frozen=True)
class LinearScale:
    """Data values [low, high] onto pixels [start, end] (end < start for a y axis)."""

    low: float
    high: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)


# --- colour -----------------------------------------------------------------------------------


def luminance(colour: str) -> float:
    """WCAG relative luminance of '#rrggbb'."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two '#rrggbb' colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def ink_on(fill: str) -> str:
    """White or near-black text, whichever contrasts more with `fill`."""
    if not fill.startswith("#") or len(fill) != 7:
        return DARK_INK
    return max(("#ffffff", "#111111"), key=lambda ink: contrast(ink, fill))


# --- SVG elements -----------------------------------------------------------------------------


def svg(width: float, height: float, title: str, desc: str, body: list[str], chart_id: str) -> str:
    """The chart's root element with its text alternative (<title>, <desc>) and a hatch
    pattern of its own; ids are unique per chart, so several charts share one page."""
    layout, most = ("narrow", 1.4) if chart_id.endswith(NARROW_SUFFIX) else ("wide", 1.0)
    head = (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width:.0f} {height:.0f}' "
        f"width='100%' style='max-width:{width * most:.0f}px' role='img' "
        f"class='chart {layout}' "
        f"aria-labelledby='{chart_id}-title' aria-describedby='{chart_id}-desc' {FONT}>"
        f"<title id='{chart_id}-title'>{escape(title)}</title>"
        f"<desc id='{chart_id}-desc'>{escape(desc)}</desc>"
        f"<defs><pattern id='hatch-{chart_id}' width='6' height='6' patternUnits='userSpaceOnUse' "
        "patternTransform='rotate(45)'><rect width='6' height='6' fill='#ffffff'/>"
        "<line x1='0' y1='0' x2='0' y2='6' stroke='#bbbbbb' stroke-width='2'/></pattern></defs>"
    )
    content = "".join(body).replace(UNKNOWN_FILL, f"url(#hatch-{chart_id})")
    return head + content + "</svg>\n"


def text(
    x: float,
    y: float,
    content: str,
    size: int = NORMAL,
    anchor: str = "start",
    fill: str = DARK_INK,
    weight: str = "normal",
    extra: str = "",
) -> str:
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' "
        f"fill='{fill}' font-weight='{weight}'{extra}>{escape(content)}</text>"
    )


def tick(x: float, y: float, label: str, value, anchor: str, kind: str = "tick x") -> str:
    """An axis label, carrying the value it stands for (the tests read it back)."""
    return text(x, y, label, SMALL, anchor, extra=f" class='{kind}' data-value='{value}'")


def lines(
    x: float, y: float, rows: list[str], size: int = NORMAL, anchor: str = "start", **kw
) -> str:
    """Lines of text, the first baseline at y."""
    return "".join(
        text(x, y + i * size * LINE, row, size, anchor, **kw) for i, row in enumerate(rows)
    )


def rect(x: float, y: float, w: float, h: float, fill: str, extra: str = "") -> str:
    return (
        f"<rect x='{x:.1f}' y='{y:.1f}' width='{max(w, 0):.1f}' height='{max(h, 0):.1f}' "
        f"fill='{fill}'{extra}/>"
    )


def line(x1: float, y1: float, x2: float, y2: float, stroke: str, extra: str = "") -> str:
    return (
        f"<line x1='{x1:.1f}' y1='{y1:.1f}' x2='{x2:.1f}' y2='{y2:.1f}' stroke='{stroke}'{extra}/>"
    )


def break_mark(x: float, y: float, horizontal: bool) -> str:
    """Two slanted strokes across an axis where it is broken (or does not start at zero)."""
    if horizontal:
        return "".join(
            line(x + dx - 3, y + 6, x + dx + 3, y - 6, "#444444", " stroke-width='1.5'")
            for dx in (-3, 3)
        )
    return "".join(
        line(x - 6, y + dy + 3, x + 6, y + dy - 3, "#444444", " stroke-width='1.5'")
        for dy in (-3, 3)
    )


@dataclass(frozen=True)
class LegendItem:
    label: str
    swatch: Callable[[float, float], str]  # (x, y of the row's top) -> svg of a 16 x 16 swatch


def legend(items: list[LegendItem], x: float, y: float, width: float) -> tuple[str, float]:
    """Items left to right, wrapping to a new row when the next one would pass `width`; a label
    too long for a row of its own is wrapped. Returns the svg and the height used. Every item
    ends inside `width`, so a legend is never cut by its chart's edge."""
    parts, cx, cy, row_h = ["<g class='legend'>"], x, y, 0.0
    for item in items:
        rows = wrap(item.label, width - 36, SMALL)
        item_w = 22 + max(text_width(row, SMALL) for row in rows) + 14
        item_h = max(20, len(rows) * SMALL * LINE + 6)
        if cx > x and cx + item_w > x + width:
            cx, cy, row_h = x, cy + row_h, 0.0
        parts.append(item.swatch(cx, cy))
        parts.append(lines(cx + 22, cy + 12, rows, SMALL))
        cx, row_h = cx + item_w, max(row_h, item_h)
    parts.append("</g>")
    return "".join(parts), cy + row_h - y


def swatch_rect(fill: str, stroke: str = "#999999", extra: str = "") -> Callable:
    return lambda x, y: rect(x, y, 16, 14, fill, f" stroke='{stroke}'{extra}")
