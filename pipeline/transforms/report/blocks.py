"""What a section is made of, before it is HTML or Markdown: paragraphs of text runs (plain
text, links, verdict badges), sub-headings, lists, tables of typed columns and charts with
their title, subtitle and source. The templates render each kind once per format, so the two
formats cannot drift.

Belongs here: the block types and the helpers that make links safe. Stays out: what the
sections say (sections/) and how a block looks (templates/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pipeline.transforms.report.charts import Figure


@dataclass(frozen=True)
class Link:
    text: str
    href: str  # '#anchor' on the page, or an http(s) URL
    kind = "link"


@dataclass(frozen=True)
class Badge:
    """A verdict as colour, icon and word (so it never relies on colour alone)."""

    word: str
    tone: str  # good, mixed, bad, neutral: the badge's colour
    icon: str
    kind = "badge"


@dataclass(frozen=True)
class Strong:
    text: str
    kind = "strong"


@dataclass(frozen=True)
class Emphasis:
    """Text the paper prints in italics (its transcription marks them *so*)."""

    text: str
    kind = "emphasis"


_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|\*(?!\s)([^*]+?)\*")


def rich(text) -> tuple | str:
    """A transcription's *italics* and **bold** as emphasis runs, never as literal asterisks;
    everything else stays text."""
    text = str(text)
    if "*" not in text:
        return text
    runs: list = []
    position = 0
    for match in _EMPHASIS.finditer(text):
        runs += [text[position : match.start()]] if match.start() > position else []
        runs.append(Emphasis(match.group(1) or match.group(2)))
        position = match.end()
    runs += [text[position:]] if position < len(text) else []
    return tuple(runs)


def unmarked(text) -> str:
    """The text without its emphasis marks."""
    return plain(rich(text))


def link(text: str, url: str | None) -> Link | str:
    """A link where `url` is an http(s) URL or an anchor; the text alone otherwise (data never
    becomes a javascript: or data: link)."""
    if url and url.startswith("#"):
        return Link(text, url)
    if url and urlsplit(url).scheme in ("http", "https") and " " not in url.strip():
        return Link(text, url.strip())
    return text


def links(urls, separator: str = "; ") -> tuple:
    """Several URLs, each a link to itself."""
    runs: list = []
    for i, url in enumerate(u for u in urls if u):
        runs += [separator] if i else []
        runs.append(link(url, url))
    return tuple(runs)


def plain(runs) -> str:
    """The text of a cell or paragraph, without markup (what a reader reads)."""
    if isinstance(runs, str):
        return runs
    if isinstance(runs, Link | Strong | Emphasis):
        return runs.text
    if isinstance(runs, Badge):
        return runs.word
    return "".join(plain(run) for run in runs)


@dataclass(frozen=True)
class Paragraph:
    runs: tuple
    kind = "paragraph"

    @property
    def text(self) -> str:
        return plain(self.runs)


def paragraph(*runs) -> Paragraph:
    return Paragraph(tuple(runs))


@dataclass(frozen=True)
class Heading:
    text: str
    anchor: str = ""
    kind = "heading"


@dataclass(frozen=True)
class Items:
    """A list: one entry of runs per line (e.g. the findings)."""

    entries: tuple
    css: str = ""
    kind = "items"


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False  # right-aligned, tabular figures


@dataclass(frozen=True)
class Table:
    caption: str
    columns: tuple[Column, ...]
    rows: tuple  # of rows; a cell is a string or a tuple of runs
    folded: bool = False  # a long reference table, shown folded (<details>), open in print
    row_ids: tuple = ()  # an anchor per row (e.g. claim-<id>), or none
    kind = "table"

    @property
    def headers(self) -> list[str]:
        return [c.label for c in self.columns]

    @property
    def texts(self) -> list[list[str]]:
        return [[plain(cell) for cell in row] for row in self.rows]


def table(caption: str, columns, rows, folded: bool = False, row_ids=()) -> Table:
    """Columns given as labels, a label ending in '#' being numeric ('Cells#')."""
    cols = tuple(
        c if isinstance(c, Column) else Column(c.removesuffix("#"), c.endswith("#"))
        for c in columns
    )
    cells = tuple(tuple(rich(c) if isinstance(c, str) else c for c in row) for row in rows)
    return Table(caption, cols, cells, folded, tuple(row_ids))


@dataclass(frozen=True)
class Chart:
    name: str  # file name stem under reports/charts/ (the narrow layout: <name>-narrow.svg)
    figure: Figure
    title: str  # what the chart shows
    subtitle: str  # what is measured, in which unit
    source: tuple  # runs: the source note, with its link
    alt: str = ""  # where the same values are in words (a table, a list)
    kind = "chart"


@dataclass
class Section:
    anchor: str
    title: str
    blocks: list = field(default_factory=list)
