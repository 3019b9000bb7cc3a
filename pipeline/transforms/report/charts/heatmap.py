"""The rank heat map: rows x columns coloured by the percentile of a rank, the rank printed in
each cell in the ink that contrasts most with its fill; a missing cell is hatched and says so.

Belongs here: drawing it. Stays out: choosing the cells (the report's sections).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.transforms.report.charts.svg import (
    BLUE_RAMP,
    LINE,
    NARROW,
    NORMAL,
    SMALL,
    UNKNOWN_FILL,
    WIDE,
    Figure,
    LegendItem,
    ink_on,
    legend,
    lines,
    rect,
    svg,
    swatch_rect,
    text,
    text_width,
    wrap,
)

FIFTHS = ("best fifth", "2nd fifth", "3rd fifth", "4th fifth", "worst fifth")


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
    wide = _heatmap(rows, columns, columns, cells, WIDE, 300, desc, title, chart_id)
    narrow = _heatmap(
        rows, columns, short_columns or columns, cells, NARROW, 104, desc, title, f"{chart_id}-n"
    )
    return Figure(wide, narrow)


def _heatmap(rows, columns, headers, cells, max_width, label_w, desc, title, chart_id) -> str:
    by_position = {(c.row, c.column): c for c in cells}
    cell_w = min(112, (max_width - label_w - 8) / len(columns))
    width = max(label_w + cell_w * len(columns) + 8, min(max_width, 430))
    header_lines = [wrap(h, cell_w - 6, NORMAL) for h in headers]
    top = 8 + max(len(rows_) for rows_ in header_lines) * NORMAL * LINE
    body = [
        lines(
            label_w + cell_w * i + cell_w / 2,
            top - 6 - (len(rows_) - 1) * NORMAL * LINE,
            rows_,
            NORMAL,
            "middle",
            weight="bold",
        )
        for i, rows_ in enumerate(header_lines)
    ]
    y = top
    for row in rows:
        row_lines = wrap(row, label_w - 10, SMALL)
        cell_h = max(34, len(row_lines) * SMALL * LINE + 10)
        first_baseline = y + cell_h / 2 - (len(row_lines) - 1) * SMALL * LINE / 2 + 4
        body.append(lines(label_w - 8, first_baseline, row_lines, SMALL, "end"))
        for i, column in enumerate(columns):
            cell = by_position.get((row, column))
            body.append(_heat_cell(cell, label_w + i * cell_w, y, cell_w, cell_h))
        y += cell_h
    present = {ramp_colour(c.rank, c.n_ranked or c.rank) for c in cells if c.rank is not None}
    has_missing = any(
        by_position.get((r, c)) is None or by_position[(r, c)].rank is None
        for r in rows
        for c in columns
    )
    legend_svg, legend_h = legend(_legend_items(present, has_missing), 8, y + 12, width - 16)
    body.append(legend_svg)
    return svg(width, y + 12 + legend_h + 4, title, desc, body, chart_id)


def _heat_cell(cell: HeatCell | None, x: float, y: float, w: float, h: float) -> str:
    middle = y + h / 2 + 4
    if cell is None or cell.rank is None:
        label = "no data" if text_width("no data", SMALL) <= w - 6 else "–"
        box = rect(x + 1, y + 1, w - 2, h - 2, UNKNOWN_FILL, " stroke='#ffffff'")
        return box + text(x + w / 2, middle, label, SMALL, "middle", weight="bold")
    fill = ramp_colour(cell.rank, cell.n_ranked or cell.rank)
    ink = ink_on(fill)
    box = rect(x + 1, y + 1, w - 2, h - 2, fill, " stroke='#ffffff' class='fill'")
    label = str(cell.rank) if cell.n_ranked is None else f"{cell.rank}/{cell.n_ranked}"
    if cell.n_ranked is None or text_width(label, NORMAL) <= w - 6:
        return box + text(x + w / 2, middle, label, NORMAL, "middle", ink, extra=" class='on-fill'")
    rows = [str(cell.rank), f"/{cell.n_ranked}"]  # too narrow for one line
    return box + lines(
        x + w / 2, y + h / 2 - 2, rows, SMALL, "middle", fill=ink, extra=" class='on-fill'"
    )


def _legend_items(present: set[str], has_missing: bool) -> list[LegendItem]:
    """Only the bins that occur, and 'no data' only where a cell has none."""
    items = [
        LegendItem(name, swatch_rect(colour))
        for name, colour in zip(FIFTHS, BLUE_RAMP, strict=True)
        if colour in present
    ]
    return items + ([LegendItem("no data", swatch_rect(UNKNOWN_FILL))] if has_missing else [])
