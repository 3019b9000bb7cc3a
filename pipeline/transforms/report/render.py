"""The sections as HTML and Markdown, from Jinja2 templates (pipeline/transforms/report/
templates/). Both environments escape every value: HTML by Jinja's autoescaping; Markdown by
a finalizer that escapes every value printed (HTML specials, and the characters that would
make a table cell, emphasis, a link or an image), so a template cannot forget to.

Belongs here: the two environments and their filters. Stays out: what is said (sections/)
and how it looks (templates/).
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import jinja2
from markupsafe import Markup

from pipeline.transforms.report.blocks import plain

TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE_SUFFIXES = (".j2", ".css")


def template_sources() -> list[bytes]:
    """Every template's name and bytes, in order (the report's code version includes them)."""
    parts: list[bytes] = []
    for path in sorted(p for p in TEMPLATES.rglob("*") if p.suffix in TEMPLATE_SUFFIXES):
        parts += [path.relative_to(TEMPLATES).as_posix().encode(), path.read_bytes()]
    return parts


def md_escape(value) -> str:
    """Text from data as inert Markdown: HTML escaped, and no table breaks, emphasis, links
    or images (the backslash first, so the later escapes are not doubled)."""
    text = escape(str(value), quote=False).replace("\\", "\\\\")
    for char in "|*_[]`":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " ")


def _md_finalize(value):
    if isinstance(value, Markup) or hasattr(value, "__html__"):
        return value
    return Markup(md_escape("" if value is None else value))


def md_href(url: str) -> Markup:
    """A link target for Markdown: no space or parenthesis can end it early."""
    return Markup(str(url).replace(" ", "%20").replace("(", "%28").replace(")", "%29"))


# A table of this many columns with a cell of this many characters is shown as cards on a phone;
# a grid of short values (the paper's tables) stays a grid in its scroll container. A cell with
# a token longer than LONG_TOKEN_CHARS (a URL, a checksum) may break it anywhere.
WIDE_TABLE_COLUMNS, LONG_CELL_CHARS, LONG_TOKEN_CHARS = 4, 30, 24


def cards(table) -> bool:
    longest = max((len(cell) for row in table.texts for cell in row), default=0)
    return len(table.columns) >= WIDE_TABLE_COLUMNS and longest >= LONG_CELL_CHARS


def long_token(cell) -> bool:
    return max((len(word) for word in plain(cell).split()), default=0) > LONG_TOKEN_CHARS


def kind_of(value) -> str:
    """'text', a block or run's kind, or 'runs' for a sequence of runs."""
    return "text" if isinstance(value, str) else getattr(value, "kind", "runs")


def _environment(**options) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        **options,
    )
    env.filters["md_href"] = md_href
    env.tests["text"] = lambda value: isinstance(value, str)
    env.globals.update(cards=cards, long_token=long_token, kind_of=kind_of)
    return env


_HTML = _environment()
_MARKDOWN = _environment(finalize=_md_finalize)


def render_html(title: str, sections: list, css: str = "style.css") -> str:
    return _HTML.get_template("report.html.j2").render(title=title, sections=sections, css=css)


def render_markdown(title: str, sections: list) -> str:
    text = _MARKDOWN.get_template("report.md.j2").render(title=title, sections=sections)
    lines = [line.rstrip() for line in text.splitlines()]
    collapsed: list[str] = []
    for line in lines:
        if line or (collapsed and collapsed[-1]):
            collapsed.append(line)
    return "\n".join(collapsed).strip() + "\n"


def svg(markup: str) -> Markup:
    """A chart's SVG, trusted: charts escape every label they draw."""
    return Markup(markup)
