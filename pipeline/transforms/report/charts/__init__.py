"""Charts as standalone SVG text: deterministic, no fonts or scripts fetched, every label escaped.

Each chart is drawn twice (`Figure`): a wide layout for a desktop and a narrow one for a phone;
the report shows one or the other by viewport width. Both are laid out so that every text is at
least 11 px where it is shown (the wide one at its own size from 960 px, the narrow one at a
scale of one or more from 320 px), axis ticks sit at round values placed where those values
are, and no two text boxes overlap: text widths are estimated generously (no font metrics are
available here) and labels are wrapped to the room they have. Each chart carries a <title> and
<desc> as its text alternative; its visible title, subtitle and source note are the report's
(HTML and Markdown around the SVG). The browser tests check the rendered boxes.

One module per chart: svg.py (building blocks), heatmap.py, lines.py, panels.py, bars.py,
timeline.py. Belongs here: drawing functions from plain Python data to SVG strings. Stays out:
choosing the data (pipeline/transforms/report/). Palette: Okabe-Ito (colour-blind safe) for
categories, a single-hue blue ramp for sequences.
"""

from pipeline.transforms.report.charts.bars import Bar, BarGroup, funding_bars
from pipeline.transforms.report.charts.heatmap import FIFTHS, HeatCell, ramp_colour, rank_heatmap
from pipeline.transforms.report.charts.lines import Axes, Series, line_chart
from pipeline.transforms.report.charts.panels import Categories, Panel, interval_panels
from pipeline.transforms.report.charts.svg import (
    BLUE_RAMP,
    NARROW,
    OKABE_ITO,
    SMALL,
    WIDE,
    Figure,
    contrast,
    ink_on,
    nice_ticks,
    text_width,
    wrap,
)
from pipeline.transforms.report.charts.timeline import MARKER_R, Event, timeline

__all__ = [
    "BLUE_RAMP",
    "FIFTHS",
    "MARKER_R",
    "NARROW",
    "OKABE_ITO",
    "SMALL",
    "WIDE",
    "Axes",
    "Bar",
    "BarGroup",
    "Categories",
    "Event",
    "Figure",
    "HeatCell",
    "Panel",
    "Series",
    "contrast",
    "funding_bars",
    "ink_on",
    "interval_panels",
    "line_chart",
    "nice_ticks",
    "ramp_colour",
    "rank_heatmap",
    "text_width",
    "timeline",
    "wrap",
]
