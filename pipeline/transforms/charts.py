"""Charts as standalone SVG text: deterministic, no fonts or scripts fetched, every label escaped.

Belongs here: drawing functions from plain Python data to SVG strings. Each chart carries a
<title> and <desc> as its text alternative. Stays out: choosing the data (report.py).
Palette: Okabe-Ito (colour-blind safe) for categories, a single-hue blue ramp for sequences.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
BLUE_RAMP = ("#08306b", "#2171b5", "#6baed6", "#c6dbef", "#f7fbff")  # best -> worst
UNKNOWN_FILL = "url(#hatch)"
FONT = "font-family='system-ui, -apple-system, Segoe UI, Roboto, sans-serif'"


def _svg(width: int, height: int, title: str, desc: str, body: list[str], chart_id: str) -> str:
    head = (
        f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {width} {height}' "
        f"width='100%' style='max-width:{width}px;height:auto' role='img' "
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
    size: int = 12,
    anchor: str = "start",
    fill: str = "#222222",
    weight: str = "normal",
) -> str:
    return (
        f"<text x='{x:.1f}' y='{y:.1f}' font-size='{size}' text-anchor='{anchor}' "
        f"fill='{fill}' font-weight='{weight}'>{escape(content)}</text>"
    )


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
) -> str:
    """Rows x columns, coloured by percentile of rank, the rank printed in each cell."""
    by_position = {(c.row, c.column): c for c in cells}
    label_w, cell_w, cell_h, top = 190, 104, 30, 56
    width, height = label_w + cell_w * len(columns) + 10, top + cell_h * len(rows) + 46
    body = [
        _text(label_w + cell_w * i + cell_w / 2, top - 10, col, 12, "middle", weight="bold")
        for i, col in enumerate(columns)
    ]
    for j, row in enumerate(rows):
        y = top + j * cell_h
        body.append(_text(label_w - 8, y + cell_h / 2 + 4, row, 12, "end"))
        for i, col in enumerate(columns):
            body.append(
                _heat_cell(by_position.get((row, col)), label_w + i * cell_w, y, cell_w, cell_h)
            )
    body.append(_legend(10, height - 22))
    desc = "Rank heat map. " + "; ".join(
        f"{c.column}, {c.row}: {'no data' if c.rank is None else f'rank {c.rank} of {c.n_ranked}'}"
        for c in cells
    )
    return _svg(width, height, title, desc, body, chart_id)


def _heat_cell(cell: HeatCell | None, x: float, y: float, w: float, h: float) -> str:
    if cell is None or cell.rank is None:
        fill, label, ink = UNKNOWN_FILL, "no data", "#222222"
    else:
        fill = ramp_colour(cell.rank, cell.n_ranked or cell.rank)
        label = str(cell.rank) if cell.n_ranked is None else f"{cell.rank}/{cell.n_ranked}"
        ink = "#ffffff" if fill in BLUE_RAMP[:2] else "#111111"
    return (
        f"<rect x='{x + 1:.1f}' y='{y + 1:.1f}' width='{w - 2:.1f}' height='{h - 2:.1f}' "
        f"fill='{fill}' stroke='#ffffff'/>"
        + _text(x + w / 2, y + h / 2 + 4, label, 12, "middle", ink)
    )


def _legend(x: float, y: float) -> str:
    parts = [_text(x, y + 12, "Best fifth", 11)]
    for i, colour in enumerate(BLUE_RAMP):
        parts.append(
            f"<rect x='{x + 70 + i * 28}' y='{y}' width='26' height='16' fill='{colour}' "
            "stroke='#999999'/>"
        )
    parts.append(_text(x + 70 + 5 * 28 + 6, y + 12, "worst fifth", 11))
    parts.append(
        f"<rect x='{x + 300}' y='{y}' width='26' height='16' fill='{UNKNOWN_FILL}' "
        "stroke='#999999'/>"
    )
    parts.append(_text(x + 332, y + 12, "no data / unknown", 11))
    return "".join(parts)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: unknown, drawn hatched at no height
    note: str  # source, shown beside the bar


def funding_bars(bars: list[Bar], title: str, unit: str = "EUR million") -> str:
    """Horizontal bars; unknown amounts are hatched stubs labelled 'unknown'."""
    label_w, bar_max, row_h, top = 250, 300, 34, 20
    width, height = label_w + bar_max + 330, top + row_h * len(bars) + 20
    largest = max([b.value for b in bars if b.value is not None] or [1])
    body = []
    for i, bar in enumerate(bars):
        y = top + i * row_h
        body.append(_text(label_w - 8, y + 17, bar.label, 12, "end"))
        if bar.value is None:
            body.append(
                f"<rect x='{label_w}' y='{y + 4}' width='40' height='20' "
                f"fill='{UNKNOWN_FILL}' stroke='#666666'/>"
            )
            body.append(_text(label_w + 46, y + 18, f"unknown - {bar.note}", 11, fill="#444444"))
            continue
        length = max(bar_max * bar.value / largest, 1)
        body.append(
            f"<rect x='{label_w}' y='{y + 4}' width='{length:.1f}' height='20' "
            f"fill='{OKABE_ITO[0]}'/>"
        )
        body.append(
            _text(label_w + length + 6, y + 18, f"{bar.value:,.0f} {unit} - {bar.note}", 11)
        )
    desc = "Funding bars. " + "; ".join(
        f"{b.label}: {'unknown' if b.value is None else f'{b.value:,.0f} {unit}'} ({b.note})"
        for b in bars
    )
    return _svg(width, height, title, desc, body, "funding")


@dataclass(frozen=True)
class TimelinePoint:
    year_fraction: float  # e.g. 2022.5
    lane: str  # country
    label: str
    has_erratum: bool
    group: str = ""  # category family: its colour, named in the legend


def timeline(points: list[TimelinePoint], lanes: list[str], title: str) -> str:
    """Events on a year axis, one lane per country, coloured by category family (legend at the
    bottom); events with an erratum are drawn as diamonds with a thick outline (shape as well
    as colour, for colour-blind readers)."""
    label_w, plot_w, lane_h, top = 170, 720, 40, 30
    groups = sorted({p.group for p in points if p.group})
    colours = {g: OKABE_ITO[i % len(OKABE_ITO)] for i, g in enumerate(groups)}
    width, height = label_w + plot_w + 30, top + lane_h * len(lanes) + 80
    first = min(p.year_fraction for p in points) - 1
    last = max(p.year_fraction for p in points) + 1

    def x_of(year: float) -> float:
        return label_w + plot_w * (year - first) / (last - first)

    body = []
    for i, lane in enumerate(lanes):
        y = top + i * lane_h + lane_h / 2
        body.append(_text(label_w - 8, y + 4, lane, 12, "end"))
        body.append(
            f"<line x1='{label_w}' y1='{y}' x2='{label_w + plot_w}' y2='{y}' stroke='#dddddd'/>"
        )
    for tick in _ticks(first, last):
        x = x_of(tick)
        body.append(
            f"<line x1='{x:.1f}' y1='{top}' x2='{x:.1f}' y2='{height - 40}' stroke='#eeeeee'/>"
        )
        body.append(_text(x, height - 24, str(tick), 11, "middle"))
    for point in points:
        y = top + lanes.index(point.lane) * lane_h + lane_h / 2
        body.append(_marker(x_of(point.year_fraction), y, point, colours.get(point.group)))
    body.append(_timeline_legend(colours, 10, height - 22))
    desc = "Timeline. " + "; ".join(
        f"{p.label} ({p.lane}, {p.group}){' - has an erratum' if p.has_erratum else ''}"
        for p in points
    )
    return _svg(width, height, title, desc, body, "timeline")


def _marker(x: float, y: float, point: TimelinePoint, colour: str | None) -> str:
    tooltip = f"<title>{escape(point.label)}</title>"
    fill = colour or OKABE_ITO[0]
    if point.has_erratum:
        return (
            f"<path d='M {x:.1f} {y - 8:.1f} L {x + 8:.1f} {y:.1f} L {x:.1f} {y + 8:.1f} "
            f"L {x - 8:.1f} {y:.1f} Z' fill='{fill}' stroke='#000000' "
            f"stroke-width='2.5'>{tooltip}</path>"
        )
    return (
        f"<circle cx='{x:.1f}' cy='{y:.1f}' r='5' fill='{fill}' "
        f"fill-opacity='0.85'>{tooltip}</circle>"
    )


def _timeline_legend(colours: dict[str, str], x: float, y: float) -> str:
    parts, offset = [], 0
    for group, colour in colours.items():
        parts.append(f"<circle cx='{x + offset + 6}' cy='{y + 6}' r='5' fill='{colour}'/>")
        parts.append(_text(x + offset + 15, y + 10, group, 11))
        offset += 22 + 7 * len(group)
    parts.append(
        f"<path d='M {x + offset + 6} {y - 1} L {x + offset + 13} {y + 6} "
        f"L {x + offset + 6} {y + 13} L {x + offset - 1} {y + 6} Z' fill='#ffffff' "
        "stroke='#000000' stroke-width='2.5'/>"
    )
    parts.append(_text(x + offset + 18, y + 10, "has an erratum", 11))
    return "".join(parts)


def _ticks(first: float, last: float) -> list[int]:
    span = last - first
    step = 10 if span > 40 else 5 if span > 15 else 1
    start = int(first // step + 1) * step
    return list(range(start, int(last) + 1, step))


@dataclass(frozen=True)
class Series:
    label: str
    points: list[tuple[int, float]]  # (edition year, score)
    dashed: bool = False


def line_chart(series: list[Series], x_labels: dict[int, str], title: str) -> str:
    """Scores (0-1 axis clipped to the data) across editions; dashed lines are averages.
    Each series has its own colour and marker shape, and a direct label at its end."""
    left, top, plot_w, plot_h = 60, 20, 640, 260
    width, height = left + plot_w + 230, top + plot_h + 50
    years = sorted(x_labels)
    values = [v for s in series for _, v in s.points]
    low, high = (min(values) - 0.05, max(values) + 0.05) if values else (0.0, 1.0)

    def x_of(year: int) -> float:
        return left + plot_w * (years.index(year) / max(len(years) - 1, 1))

    def y_of(value: float) -> float:
        return top + plot_h * (1 - (value - low) / (high - low))

    body = [
        f"<line x1='{left}' y1='{top + plot_h}' x2='{left + plot_w}' y2='{top + plot_h}' "
        "stroke='#888888'/>"
    ]
    for year in years:
        body.append(_text(x_of(year), top + plot_h + 18, x_labels[year], 11, "middle"))
    for step in range(5):
        value = low + (high - low) * step / 4
        body.append(_text(left - 6, y_of(value) + 4, f"{value:.2f}", 11, "end"))
        body.append(
            f"<line x1='{left}' y1='{y_of(value):.1f}' x2='{left + plot_w}' "
            f"y2='{y_of(value):.1f}' stroke='#eeeeee'/>"
        )
    for index, line in enumerate(series):
        body.append(_series_path(line, OKABE_ITO[index % len(OKABE_ITO)], index, x_of, y_of))
    desc = "Line chart. " + "; ".join(
        f"{s.label}: " + ", ".join(f"{x_labels[y]} {v:.4f}" for y, v in s.points) for s in series
    )
    return _svg(width, height, title, desc, body, "trend")


def _series_path(line: Series, colour: str, index: int, x_of, y_of) -> str:
    if not line.points:
        return ""
    coords = [(x_of(y), y_of(v)) for y, v in line.points]
    path = " ".join(f"{'M' if i == 0 else 'L'} {x:.1f} {y:.1f}" for i, (x, y) in enumerate(coords))
    dash = " stroke-dasharray='6 4'" if line.dashed else ""
    parts = [f"<path d='{path}' fill='none' stroke='{colour}' stroke-width='2'{dash}/>"]
    for x, y in coords:
        parts.append(_point_marker(x, y, colour, index))
    end_x, end_y = coords[-1]
    parts.append(_text(end_x + 10, end_y + 4, line.label, 11, fill="#222222"))
    return "".join(parts)


def _point_marker(x: float, y: float, colour: str, index: int) -> str:
    shape = index % 3
    if shape == 0:
        return f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3.5' fill='{colour}'/>"
    if shape == 1:
        return f"<rect x='{x - 3.5:.1f}' y='{y - 3.5:.1f}' width='7' height='7' fill='{colour}'/>"
    triangle = f"M {x:.1f} {y - 4:.1f} L {x + 4:.1f} {y + 3:.1f} L {x - 4:.1f} {y + 3:.1f} Z"
    return f"<path d='{triangle}' fill='{colour}'/>"
