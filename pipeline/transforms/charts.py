"""Charts as standalone SVG text: deterministic, no fonts or scripts fetched, every label escaped.

Each chart is drawn twice (`Figure`): a wide layout for a desktop and a narrow one for a phone;
the report shows one or the other by viewport width. Both are laid out so that every text is at
least 11 px where it is shown (the wide one at its own size, the narrow one at a scale of one or
more), axis ticks sit at round values placed where those values are, and no two text boxes
overlap: text widths are estimated generously (no font metrics are available here), labels are
wrapped to the room they have, series are named in a legend rather than at their ends, and the
timeline's markers are stacked so that none hides another. The browser tests check the rendered
boxes.

Belongs here: drawing functions from plain Python data to SVG strings. Each chart carries a
<title> and <desc> as its text alternative. Stays out: choosing the data (report.py).
Palette: Okabe-Ito (colour-blind safe) for categories, a single-hue blue ramp for sequences.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
BLUE_RAMP = ("#08306b", "#2171b5", "#6baed6", "#c6dbef", "#f7fbff")  # best -> worst
DARK_INK = "#222222"
UNKNOWN_FILL = "url(#hatch)"
FONT = "font-family='system-ui, -apple-system, Segoe UI, Roboto, sans-serif'"
WIDE, NARROW = 920, 340  # viewBox widths: shown at 1:1 on a desktop, at 1:1 or more on a phone
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


# --- SVG building blocks ----------------------------------------------------------------------


def _svg(width: float, height: float, title: str, desc: str, body: list[str], chart_id: str) -> str:
    # Shown at most at its own size (wide) or 1.4 times it (narrow, on a phone or a tablet).
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
        "<line x1='0' y1='0' x2='0' y2='6' stroke='#888888' stroke-width='2'/></pattern></defs>"
    )
    # Ids are unique per chart, so several charts can share one HTML page.
    content = "".join(body).replace(UNKNOWN_FILL, f"url(#hatch-{chart_id})")
    return head + content + "</svg>\n"


def _text(
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


def _tick(x: float, y: float, label: str, value, anchor: str, kind: str = "tick x") -> str:
    """An axis label, carrying the value it stands for (the tests read it back)."""
    return _text(x, y, label, SMALL, anchor, extra=f" class='{kind}' data-value='{value}'")


def _lines(
    x: float, y: float, lines: list[str], size: int = NORMAL, anchor: str = "start", **kw
) -> str:
    """Lines of text, the first baseline at y."""
    return "".join(
        _text(x, y + i * size * LINE, line, size, anchor, **kw) for i, line in enumerate(lines)
    )


def _rect(x: float, y: float, w: float, h: float, fill: str, extra: str = "") -> str:
    return (
        f"<rect x='{x:.1f}' y='{y:.1f}' width='{max(w, 0):.1f}' height='{max(h, 0):.1f}' "
        f"fill='{fill}'{extra}/>"
    )


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, extra: str = "") -> str:
    return (
        f"<line x1='{x1:.1f}' y1='{y1:.1f}' x2='{x2:.1f}' y2='{y2:.1f}' stroke='{stroke}'{extra}/>"
    )


@dataclass(frozen=True)
class LegendItem:
    label: str
    swatch: Callable[[float, float], str]  # (x, y of the row's top) -> svg of a 16 x 16 swatch


def _legend(items: list[LegendItem], x: float, y: float, width: float) -> tuple[str, float]:
    """Items left to right, wrapping to a new row when the next one would pass `width`; a label
    too long for a row of its own is wrapped. Returns the svg and the height used."""
    parts, cx, cy, row_h = [], x, y, 0.0
    for item in items:
        lines = wrap(item.label, width - 36, SMALL)
        item_w = 22 + max(text_width(line, SMALL) for line in lines) + 14
        item_h = max(20, len(lines) * SMALL * LINE + 6)
        if cx > x and cx + item_w > x + width:
            cx, cy, row_h = x, cy + row_h, 0.0
        parts.append(item.swatch(cx, cy))
        parts.append(_lines(cx + 22, cy + 12, lines, SMALL))
        cx, row_h = cx + item_w, max(row_h, item_h)
    return "".join(parts), cy + row_h - y


def _swatch_rect(fill: str) -> Callable[[float, float], str]:
    return lambda x, y: _rect(x, y, 16, 14, fill, " stroke='#999999'")


def _ink_on(fill: str) -> str:
    """White or dark text, whichever reads on `fill` (by its luminance)."""
    if not fill.startswith("#") or len(fill) != 7:
        return DARK_INK
    r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
    return "#ffffff" if 0.299 * r + 0.587 * g + 0.114 * b < 140 else "#111111"


# --- rank heat map ----------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    row: str
    column: str
    rank: int | None
    n_ranked: int | None


def ramp_colour(rank: int, n_ranked: int) -> str:
    """Colour by percentile position (rank 1 = darkest); five equal bins."""
    position = (rank - 1) / max(n_ranked - 1, 1)
    return BLUE_RAMP[min(int(position * len(BLUE_RAMP)), len(BLUE_RAMP) - 1)]


def rank_heatmap(
    rows: list[str],
    columns: list[str],
    cells: list[HeatCell],
    title: str,
    chart_id: str = "heatmap",
    short_columns: list[str] | None = None,
) -> Figure:
    """Rows x columns, coloured by percentile of rank, the rank printed in each cell. The
    narrow layout names the columns by `short_columns` (e.g. ISO codes) when given."""
    desc = "Rank heat map. " + "; ".join(
        f"{c.column}, {c.row}: {'no data' if c.rank is None else f'rank {c.rank} of {c.n_ranked}'}"
        for c in cells
    )
    wide = _heatmap(rows, columns, columns, cells, WIDE, 230, desc, title, chart_id)
    narrow = _heatmap(
        rows, columns, short_columns or columns, cells, NARROW, 112, desc, title, f"{chart_id}-n"
    )
    return Figure(wide, narrow)


def _heatmap(rows, columns, headers, cells, max_width, label_w, desc, title, chart_id) -> str:
    by_position = {(c.row, c.column): c for c in cells}
    cell_w = min(112, (max_width - label_w - 8) / len(columns))
    header_lines = [wrap(h, cell_w - 6, NORMAL) for h in headers]
    top = 8 + max(len(lines) for lines in header_lines) * NORMAL * LINE
    body = [
        _lines(
            label_w + cell_w * i + cell_w / 2,
            top - 6 - (len(lines) - 1) * NORMAL * LINE,
            lines,
            NORMAL,
            "middle",
            weight="bold",
        )
        for i, lines in enumerate(header_lines)
    ]
    y = top
    for row in rows:
        row_lines = wrap(row, label_w - 10, SMALL)
        cell_h = max(34, len(row_lines) * SMALL * LINE + 10)
        first_baseline = y + cell_h / 2 - (len(row_lines) - 1) * SMALL * LINE / 2 + 4
        body.append(_lines(label_w - 8, first_baseline, row_lines, SMALL, "end"))
        for i, column in enumerate(columns):
            cell = by_position.get((row, column))
            body.append(_heat_cell(cell, label_w + i * cell_w, y, cell_w, cell_h))
        y += cell_h
    legend, legend_h = _legend(_heat_legend_items(), 8, y + 12, max_width - 16)
    body.append(legend)
    width = label_w + cell_w * len(columns) + 8
    return _svg(max(width, min(max_width, 430)), y + 12 + legend_h + 4, title, desc, body, chart_id)


def _heat_cell(cell: HeatCell | None, x: float, y: float, w: float, h: float) -> str:
    middle = y + h / 2 + 4
    if cell is None or cell.rank is None:
        label = "no data" if text_width("no data", SMALL) <= w - 6 else "–"
        box = _rect(x + 1, y + 1, w - 2, h - 2, UNKNOWN_FILL, " stroke='#ffffff'")
        return box + _text(x + w / 2, middle, label, SMALL, "middle")
    fill = ramp_colour(cell.rank, cell.n_ranked or cell.rank)
    ink = _ink_on(fill)
    box = _rect(x + 1, y + 1, w - 2, h - 2, fill, " stroke='#ffffff'")
    label = str(cell.rank) if cell.n_ranked is None else f"{cell.rank}/{cell.n_ranked}"
    if cell.n_ranked is None or text_width(label, NORMAL) <= w - 6:
        return box + _text(x + w / 2, middle, label, NORMAL, "middle", ink)
    lines = [str(cell.rank), f"/{cell.n_ranked}"]  # too narrow for one line
    return box + _lines(x + w / 2, y + h / 2 - 2, lines, SMALL, "middle", fill=ink)


FIFTHS = ("best fifth", "2nd fifth", "3rd fifth", "4th fifth", "worst fifth")


def _heat_legend_items() -> list[LegendItem]:
    items = [LegendItem(name, _swatch_rect(c)) for name, c in zip(FIFTHS, BLUE_RAMP, strict=True)]
    return [*items, LegendItem("no data", _swatch_rect(UNKNOWN_FILL))]


# --- funding bars -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: unknown, drawn hatched at no height
    note: str  # source, shown under the bar


def funding_bars(bars: list[Bar], title: str, unit: str = "EUR million") -> Figure:
    """Horizontal bars; unknown amounts are hatched stubs labelled 'unknown'. Wide: the label
    beside the bar; narrow: above it. The source note is under the bar."""
    desc = "Funding bars. " + "; ".join(
        f"{b.label}: {'unknown' if b.value is None else f'{b.value:,.0f} {unit}'} ({b.note})"
        for b in bars
    )
    return Figure(
        _bars(bars, title, unit, desc, WIDE, 260, "funding"),
        _bars(bars, title, unit, desc, NARROW, 0, "funding-n"),
    )


def _value_text(bar: Bar, unit: str) -> str:
    return "unknown" if bar.value is None else f"{bar.value:,.0f} {unit}"


def _bars(bars, title, unit, desc, width, label_w, chart_id) -> str:
    plot_x = label_w + 8 if label_w else 0
    value_w = max(text_width(_value_text(b, unit), SMALL) for b in bars) + 8
    bar_max = width - plot_x - value_w - 4
    largest = max([b.value for b in bars if b.value is not None] or [1])
    body, y = [], 8.0
    for bar in bars:
        label_lines = wrap(bar.label, (label_w - 12) if label_w else width, NORMAL)
        if label_w:
            body.append(_lines(label_w - 4, y + 15, label_lines, NORMAL, "end"))
            bar_y = y + 2
        else:
            body.append(_lines(0, y + 12, label_lines, NORMAL))
            bar_y = y + len(label_lines) * NORMAL * LINE + 4
        if bar.value is None:
            length = 36
            body.append(_rect(plot_x, bar_y, length, 18, UNKNOWN_FILL, " stroke='#666666'"))
        else:
            length = max(bar_max * bar.value / largest, 1)
            body.append(_rect(plot_x, bar_y, length, 18, OKABE_ITO[0]))
        body.append(_text(plot_x + length + 6, bar_y + 14, _value_text(bar, unit), SMALL))
        note_lines = wrap(f"source: {bar.note}", width - plot_x, SMALL)
        body.append(_lines(plot_x, bar_y + 34, note_lines, SMALL, fill="#444444"))
        bottom = bar_y + 34 + (len(note_lines) - 1) * SMALL * LINE + 10
        if label_w:
            bottom = max(bottom, y + 15 + (len(label_lines) - 1) * NORMAL * LINE + 10)
        y = bottom + 8
    return _svg(width, y, title, desc, body, chart_id)


# --- timeline ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelinePoint:
    year_fraction: float  # e.g. 2022.5
    lane: str  # country
    label: str
    has_erratum: bool
    group: str = ""  # category family: its colour, named in the legend
    number: int = 0  # the event's number in the table below the chart


MARKER_R = 9.0  # radius of a numbered marker
MARKER_GAP = 3.0  # the least room between two markers


@dataclass(frozen=True)
class BrokenTimeScale:
    """Years onto a position along the time axis: years before `break_year` get one slot each
    (only the years with events, in order: not to scale), then a break, then `break_year` to
    `end_year` linear."""

    early_years: tuple[int, ...]
    slot: float  # length of one early year's slot
    gap: float  # length of the break
    break_year: int
    end_year: int
    main: float  # length of the linear part

    @property
    def early(self) -> float:
        return self.slot * len(self.early_years)

    @property
    def length(self) -> float:
        return self.early + (self.gap if self.early_years else 0) + self.main

    def __call__(self, year_fraction: float) -> float:
        if year_fraction < self.break_year and self.early_years:
            return self.early_years.index(int(year_fraction)) * self.slot + self.slot / 2
        offset = self.early + (self.gap if self.early_years else 0)
        span = self.end_year - self.break_year
        return offset + (year_fraction - self.break_year) / span * self.main

    def ticks(self, min_spacing: float) -> list[tuple[int, float]]:
        """(year, position) of each early year and of round years in the linear part."""
        ticks = [(year, self(year)) for year in self.early_years]
        per_year = self.main / (self.end_year - self.break_year)
        step = next(s for s in (1, 2, 5, 10, 20) if s * per_year >= min_spacing)
        first = math.ceil(self.break_year / step) * step
        ticks += [(year, self(year)) for year in range(first, self.end_year + 1, step)]
        return ticks


def timeline(
    points: list[TimelinePoint],
    lanes: list[str],
    title: str,
    short_lanes: list[str] | None = None,
    break_year: int = 2007,
) -> Figure:
    """Numbered events on a time axis with a break before `break_year`, one lane per country,
    coloured by category family; events with an erratum are outlined diamonds (shape as well
    as colour). Markers never hide each other: a marker that would touch the one before it
    in its lane moves to the next free row. Wide: time runs left to right; narrow: top down,
    lanes as columns named by `short_lanes`."""
    groups = sorted({p.group for p in points if p.group})
    colours = {g: OKABE_ITO[i % len(OKABE_ITO)] for i, g in enumerate(groups)}
    desc = "Timeline, events numbered as in the table below. " + "; ".join(
        f"{p.number}. {p.label} ({p.lane}, {p.group}){' - has an erratum' if p.has_erratum else ''}"
        for p in points
    )
    legend = _timeline_legend_items(
        colours, break_year, any(p.year_fraction < break_year for p in points)
    )
    return Figure(
        _timeline_wide(points, lanes, colours, legend, title, desc, break_year),
        _timeline_narrow(
            points, short_lanes or lanes, lanes, colours, legend, title, desc, break_year
        ),
    )


def _time_scale(points, break_year: int, slot: float, main: float) -> BrokenTimeScale:
    early = tuple(sorted({int(p.year_fraction) for p in points if p.year_fraction < break_year}))
    end = max(int(p.year_fraction) for p in points) + 1
    return BrokenTimeScale(early, slot, 26.0, break_year, max(end, break_year + 1), main)


def _stack(positions: list[tuple[float, int]]) -> dict[int, int]:
    """Row of each marker in its lane (wide layout): markers sorted by position, each in the
    first row whose last marker is far enough behind, or in a new row."""
    last: list[float] = []
    rows = {}
    for position, index in sorted(positions):
        free = [r for r, end in enumerate(last) if position - end >= 2 * MARKER_R + MARKER_GAP]
        row = free[0] if free else len(last)
        if row == len(last):
            last.append(position)
        last[row] = position
        rows[index] = row
    return rows


def _timeline_wide(points, lanes, colours, legend, title, desc, break_year) -> str:
    label_w, width = 150, WIDE
    plot_x, plot_w = label_w + 8, WIDE - label_w - 8 - 24
    early_n = len({int(p.year_fraction) for p in points if p.year_fraction < break_year})
    slot = min(44.0, plot_w * 0.3 / max(early_n, 1))
    scale = _time_scale(points, break_year, slot, plot_w - early_n * slot - 26)
    row_h = 2 * MARKER_R + 5
    body, y = [], 10.0
    for lane in lanes:
        members = [(scale(p.year_fraction), i) for i, p in enumerate(points) if p.lane == lane]
        rows = _stack(members)
        n_rows = max(rows.values(), default=0) + 1
        lane_h = n_rows * row_h + 10
        lane_lines = wrap(lane, label_w - 8, NORMAL)
        mid = y + lane_h / 2
        body.append(
            _lines(
                label_w,
                mid + 4 - (len(lane_lines) - 1) * NORMAL * LINE / 2,
                lane_lines,
                NORMAL,
                "end",
            )
        )
        body.append(_line(plot_x, y + lane_h, plot_x + plot_w, y + lane_h, "#dddddd"))
        for index, row in rows.items():
            point = points[index]
            cx, cy = plot_x + scale(point.year_fraction), y + 5 + MARKER_R + 2 + row * row_h
            body.append(_marker(cx, cy, point, colours.get(point.group)))
        y += lane_h
    axis_y = y + 6
    body.append(_time_axis_wide(scale, plot_x, axis_y, y))
    legend_svg, legend_h = _legend(legend, 8, axis_y + 30, width - 16)
    body.append(legend_svg)
    return _svg(width, axis_y + 30 + legend_h + 4, title, desc, body, "timeline")


def _time_axis_wide(scale: BrokenTimeScale, x0: float, y: float, top_of_axis: float) -> str:
    parts = []
    if scale.early_years:
        parts.append(_line(x0, y, x0 + scale.early, y, "#888888"))
        parts.append(_break_mark(x0 + scale.early + scale.gap / 2, y, horizontal=True))
        start = x0 + scale.early + scale.gap
    else:
        start = x0
    parts.append(_line(start, y, x0 + scale.length, y, "#888888"))
    for year, position in scale.ticks(min_spacing=text_width("2000", SMALL) + 10):
        parts.append(_line(x0 + position, y, x0 + position, y + 4, "#888888"))
        parts.append(_tick(x0 + position, y + 17, str(year), year, "middle", "tick"))
    return "".join(parts)


def _break_mark(x: float, y: float, horizontal: bool) -> str:
    """Two slanted strokes across the axis where it is broken."""
    if horizontal:
        return "".join(
            _line(x + dx - 3, y + 6, x + dx + 3, y - 6, "#444444", " stroke-width='1.5'")
            for dx in (-3, 3)
        )
    return "".join(
        _line(x - 6, y + dy + 3, x + 6, y + dy - 3, "#444444", " stroke-width='1.5'")
        for dy in (-3, 3)
    )


def _timeline_narrow(points, short_lanes, lanes, colours, legend, title, desc, break_year):
    """Time runs down in bands, one per year (each year with events before `break_year`, then
    every year): a band is as tall as its busiest lane needs, its events side by side in date
    order, so a marker never leaves its year."""
    axis_w, width, step = 46, NARROW, 2 * MARKER_R + MARKER_GAP
    lane_w = (width - axis_w - 4) / len(lanes)
    columns = max(1, int((lane_w - 2) // step))
    header_lines = [wrap(s, lane_w - 2, SMALL) for s in short_lanes]
    top = 6 + max(len(h) for h in header_lines) * SMALL * LINE + 10
    body = [
        _lines(axis_w + 4 + lane_w * (j + 0.5), 6 + SMALL, lines, SMALL, "middle", weight="bold")
        for j, lines in enumerate(header_lines)
    ]
    early = sorted({int(p.year_fraction) for p in points if p.year_fraction < break_year})
    last = max(int(p.year_fraction) for p in points)
    y = top
    for year in [*early, None, *range(break_year, last + 1)]:
        if year is None:  # the break between the early years and the rest
            if early:
                body.append(_break_mark(axis_w, y + 9, horizontal=False))
                y += 18
            continue
        in_year = sorted(
            (p.year_fraction, p.number, i)
            for i, p in enumerate(points)
            if int(p.year_fraction) == year
        )
        per_lane = {lane: [i for _, _, i in in_year if points[i].lane == lane] for lane in lanes}
        rows = max([math.ceil(len(v) / columns) for v in per_lane.values()] + [0])
        band = max(SMALL * LINE + 4, rows * step + 4)
        body.append(_line(axis_w - 4, y, width, y, "#eeeeee"))
        body.append(_tick(axis_w - 6, y + SMALL + 2, str(year), year, "end", "tick"))
        for j, lane in enumerate(lanes):
            for k, index in enumerate(per_lane[lane]):
                cx = axis_w + 4 + lane_w * j + MARKER_R + 2 + (k % columns) * step
                cy = y + 2 + MARKER_R + (k // columns) * step
                body.append(_marker(cx, cy, points[index], colours.get(points[index].group)))
        y += band
    body.append(_line(axis_w, top, axis_w, y, "#888888"))
    note = LegendItem(
        "each year is one band, taller where it has more events (not to scale)",
        lambda x, yy: _line(x + 8, yy, x + 8, yy + 14, "#888888"),
    )
    legend_svg, legend_h = _legend([*legend, note], 4, y + 14, width - 8)
    body.append(legend_svg)
    return _svg(width, y + 14 + legend_h + 4, title, desc, body, "timeline-n")


def _marker(x: float, y: float, point: TimelinePoint, colour: str | None) -> str:
    tooltip = f"<title>{escape(f'{point.number}. {point.label}')}</title>"
    fill = colour or OKABE_ITO[0]
    number = _text(x, y + 4, str(point.number), SMALL, "middle", _ink_on(fill), "bold")
    if point.has_erratum:
        r = MARKER_R + 1
        return (
            f"<g class='marker erratum'><path d='M {x:.1f} {y - r:.1f} L {x + r:.1f} {y:.1f} "
            f"L {x:.1f} {y + r:.1f} L {x - r:.1f} {y:.1f} Z' fill='{fill}' stroke='#000000' "
            f"stroke-width='2.5'>{tooltip}</path>{number}</g>"
        )
    return (
        f"<g class='marker'><circle cx='{x:.1f}' cy='{y:.1f}' r='{MARKER_R}' fill='{fill}'>"
        f"{tooltip}</circle>{number}</g>"
    )


def _timeline_legend_items(colours: dict[str, str], break_year: int, broken: bool):
    items = [
        LegendItem(
            group, lambda x, y, c=colour: f"<circle cx='{x + 8}' cy='{y + 7}' r='7' fill='{c}'/>"
        )
        for group, colour in colours.items()
    ]
    items.append(
        LegendItem(
            "has an erratum",
            lambda x, y: (
                f"<path d='M {x + 8} {y} L {x + 15} {y + 7} L {x + 8} {y + 14} "
                f"L {x + 1} {y + 7} Z' fill='#ffffff' stroke='#000000' stroke-width='2.5'/>"
            ),
        )
    )
    if broken:
        items.append(
            LegendItem(
                f"axis break: before {break_year}, one slot per year with events (not to scale)",
                lambda x, y: _break_mark(x + 8, y + 7, horizontal=True),
            )
        )
    return items


# --- line chart -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    label: str
    points: list[tuple[int, float]]  # (edition year, score)
    dashed: bool = False


def line_chart(series: list[Series], x_labels: dict[int, str], title: str) -> Figure:
    """Values across editions (categorical x, in order); dashed lines are averages. The y axis
    runs between round ticks around the data. Each series has its own colour and marker shape,
    named in the legend below the plot."""
    desc = "Line chart. " + "; ".join(
        f"{s.label}: " + ", ".join(f"{x_labels[y]} {v:.4f}" for y, v in s.points) for s in series
    )
    return Figure(
        _line_chart(series, x_labels, title, desc, WIDE, 280, "trend"),
        _line_chart(series, x_labels, title, desc, NARROW, 220, "trend-n"),
    )


def _line_chart(series, x_labels, title, desc, width, plot_h, chart_id) -> str:
    values = [v for s in series for _, v in s.points]
    ticks = nice_ticks(min(values, default=0) - 0.01, max(values, default=1) + 0.01, 6)
    step = ticks[1] - ticks[0]
    left = max(text_width(tick_label(t, step), SMALL) for t in ticks) + 14
    top, plot_w = 12, width - left - 16
    years = sorted(x_labels)
    x_of = LinearScale(0, max(len(years) - 1, 1), left + 8, left + plot_w - 8)
    y_of = LinearScale(ticks[0], ticks[-1], top + plot_h, top)
    body = [_y_axis(ticks, step, y_of, left, plot_w)]
    label_w = max(text_width(x_labels[y], SMALL) for y in years) + 8
    every = max(1, math.ceil(label_w / max(x_of(1) - x_of(0), 1)))
    for i, year in enumerate(years):
        body.append(_line(x_of(i), top + plot_h, x_of(i), top + plot_h + 4, "#888888"))
        if i % every == 0 or i == len(years) - 1 and (len(years) - 1) % every == 0:
            body.append(_tick(x_of(i), top + plot_h + 18, x_labels[year], year, "middle"))
    items = []
    for index, line in enumerate(series):
        colour = OKABE_ITO[index % len(OKABE_ITO)]
        coords = [(x_of(years.index(y)), y_of(v)) for y, v in line.points]
        body.append(_series_path(coords, colour, index, line.dashed))
        items.append(LegendItem(line.label, _series_swatch(colour, index, line.dashed)))
    legend_svg, legend_h = _legend(items, 4, top + plot_h + 32, width - 8)
    body.append(legend_svg)
    return _svg(width, top + plot_h + 32 + legend_h + 4, title, desc, body, chart_id)


def _y_axis(ticks: list[float], step: float, y_of: LinearScale, left: float, plot_w: float):
    parts = []
    for tick in ticks:
        y = y_of(tick)
        parts.append(_line(left, y, left + plot_w, y, "#eeeeee"))
        parts.append(_tick(left - 6, y + 4, tick_label(tick, step), tick, "end", "tick y"))
    parts.append(_line(left, y_of(ticks[0]), left + plot_w, y_of(ticks[0]), "#888888"))
    return "<g class='axis-y'>" + "".join(parts) + "</g>"


def _series_path(coords, colour: str, index: int, dashed: bool) -> str:
    if not coords:
        return ""
    path = " ".join(f"{'M' if i == 0 else 'L'} {x:.1f} {y:.1f}" for i, (x, y) in enumerate(coords))
    dash = " stroke-dasharray='6 4'" if dashed else ""
    parts = [f"<path d='{path}' fill='none' stroke='{colour}' stroke-width='2'{dash}/>"]
    parts += [_point_marker(x, y, colour, index) for x, y in coords]
    return "".join(parts)


def _series_swatch(colour: str, index: int, dashed: bool) -> Callable[[float, float], str]:
    dash = " stroke-dasharray='4 3'" if dashed else ""
    return lambda x, y: (
        _line(x, y + 7, x + 16, y + 7, colour, f" stroke-width='2'{dash}")
        + _point_marker(x + 8, y + 7, colour, index)
    )


def _point_marker(x: float, y: float, colour: str, index: int) -> str:
    shape = index % 3
    if shape == 0:
        return f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3.5' fill='{colour}'/>"
    if shape == 1:
        return f"<rect x='{x - 3.5:.1f}' y='{y - 3.5:.1f}' width='7' height='7' fill='{colour}'/>"
    triangle = f"M {x:.1f} {y - 4:.1f} L {x + 4:.1f} {y + 3:.1f} L {x - 4:.1f} {y + 3:.1f} Z"
    return f"<path d='{triangle}' fill='{colour}'/>"


# --- small multiples with an interval band ----------------------------------------------------


PANEL_TITLE_H = 28  # room for a panel's title above its top tick label


@dataclass(frozen=True)
class Panel:
    label: str
    points: list[tuple[int, float, float, float]]  # (year, value, low, high)
    categories: list[tuple[int, int]]  # (year, category code), drawn as a strip under the plot


def interval_panels(
    panels: list[Panel],
    title: str,
    category_names: dict[int, str],
    category_colours: dict[int, str],
    value_name: str,
    band_name: str,
) -> Figure:
    """One small panel per country: the value as a line over its interval band, and a strip of
    the category per year under it; every panel on the same axes. Wide: three per row;
    narrow: one per row."""
    desc = f"{value_name}, {band_name}, by year. " + "; ".join(
        f"{p.label}: "
        + ", ".join(
            f"{y} {v:.3f} ({lo:.3f}-{hi:.3f}, {category_names.get(dict(p.categories).get(y), '?')})"
            for y, v, lo, hi in p.points
        )
        for p in panels
    )
    items = [
        LegendItem(
            value_name,
            lambda x, y: _line(x, y + 7, x + 16, y + 7, OKABE_ITO[0], " stroke-width='2'"),
        )
    ]
    items.append(LegendItem(band_name, _swatch_rect("#0072B2' fill-opacity='0.25")))
    items += [
        LegendItem(name, _swatch_rect(category_colours[code]))
        for code, name in sorted(category_names.items())
    ]
    layout = (panels, title, desc, items, category_colours)
    return Figure(
        _panels(*layout, WIDE, 3, 140, "panels"), _panels(*layout, NARROW, 1, 120, "panels-n")
    )


def _panels(panels, title, desc, legend_items, colours, width, per_row, plot_h, chart_id) -> str:
    highs = [hi for p in panels for _, _, _, hi in p.points]
    ticks = nice_ticks(0, max(highs, default=1), 4)
    step = ticks[1] - ticks[0]
    years = sorted({y for p in panels for y, *_ in p.points} or {0})
    cell_w = (width - 8) / per_row
    left = max(text_width(tick_label(t, step), SMALL) for t in ticks) + 10
    panel_h = PANEL_TITLE_H + plot_h + 8 + 10 + 22
    body = []
    for index, panel in enumerate(panels):
        x0, y0 = (index % per_row) * cell_w, 4 + (index // per_row) * (panel_h + 10)
        body.append(_panel(panel, x0, y0, cell_w - 12, left, plot_h, ticks, step, years, colours))
    rows = math.ceil(len(panels) / per_row)
    legend_svg, legend_h = _legend(legend_items, 4, 4 + rows * (panel_h + 10), width - 8)
    body.append(legend_svg)
    return _svg(width, 4 + rows * (panel_h + 10) + legend_h + 4, title, desc, body, chart_id)


def _panel(panel, x0, y0, w, left, plot_h, ticks, step, years, colours) -> str:
    plot_x, plot_y, plot_w = x0 + left, y0 + PANEL_TITLE_H, w - left
    x_of = LinearScale(years[0], years[-1], plot_x + 4, plot_x + plot_w - 4)
    y_of = LinearScale(ticks[0], ticks[-1], plot_y + plot_h, plot_y)
    parts = [_text(x0, y0 + 13, panel.label, NORMAL, weight="bold")]
    parts.append(_y_axis(ticks, step, y_of, plot_x, plot_w))
    if panel.points:
        upper = [(x_of(y), y_of(hi)) for y, _, _, hi in panel.points]
        lower = [(x_of(y), y_of(lo)) for y, _, lo, _ in reversed(panel.points)]
        outline = " ".join(f"{x:.1f},{y:.1f}" for x, y in upper + lower)
        parts.append(f"<polygon points='{outline}' fill='#0072B2' fill-opacity='0.25'/>")
        line = " ".join(f"{x_of(y):.1f},{y_of(v):.1f}" for y, v, _, _ in panel.points)
        parts.append(f"<polyline points='{line}' fill='none' stroke='#0072B2' stroke-width='2'/>")
    strip_y = plot_y + plot_h + 8
    year_w = (x_of(years[-1]) - x_of(years[0])) / max(len(years) - 1, 1)
    by_year = dict(panel.categories)
    for year in years:
        code = by_year.get(year)
        fill = colours.get(code, UNKNOWN_FILL)
        parts.append(_rect(x_of(year) - year_w / 2, strip_y, year_w, 10, fill))
    label_w = text_width("2000", SMALL) + 8
    year_ticks = [y for y in nice_ticks(years[0], years[-1], 6) if years[0] <= y <= years[-1]]
    year_ticks = [int(y) for y in year_ticks]
    spacing = (x_of(year_ticks[-1]) - x_of(year_ticks[0])) / max(len(year_ticks) - 1, 1)
    every = max(1, math.ceil(label_w / max(spacing, 1)))
    for year in year_ticks[::every]:
        parts.append(_tick(x_of(year), strip_y + 24, str(year), year, "middle"))
    return "".join(parts)
