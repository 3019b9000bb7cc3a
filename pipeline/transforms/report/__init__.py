"""The summary report: what the primary sources found about the paper first (verdict badges,
cells verified, errata), then the paper's tables rebuilt and verified, the claims and errata in
full with V-Dem's series, trends, funding as marts.funding_totals decides it, the timeline,
coverage, sources and the changes since the last release; as Markdown and as one
self-contained HTML file (no script, a Content-Security-Policy, a dark scheme and print
styles) that reads from 320 to 1920 px.

The content is built once as sections of blocks (blocks.py), one module per section
(sections/), then rendered twice from Jinja2 templates with escaping on (render.py,
templates/), so the two formats cannot drift. Vocabularies come from the specs and raw/
(inputs.py); words and formats from words.py.

Belongs here: choosing and arranging what the report says (pure functions of mart frames).
Stays out: file I/O and reading the database (pipeline/transforms/report/load_inputs.py), drawing
(pipeline/transforms/report/charts/).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.transforms.report.blocks import Chart, Section
from pipeline.transforms.report.inputs import VDEM_YEARS, ReportInputs, Vocabulary
from pipeline.transforms.report.render import render_html, render_markdown, template_sources
from pipeline.transforms.report.sections.claims import claims_section
from pipeline.transforms.report.sections.findings import findings_section
from pipeline.transforms.report.sections.funding import funding_section
from pipeline.transforms.report.sections.paper_tables import table1_section, table2_section
from pipeline.transforms.report.sections.sources import (
    changes_section,
    coverage_section,
    sources_section,
)
from pipeline.transforms.report.sections.timeline import timeline_section
from pipeline.transforms.report.sections.trends import trends_section
from pipeline.transforms.report.sections.verification import verification_section

TITLE = (
    "Human-rights indicators for Central Asia and the EU: "
    "what the paper says and what the sources say"
)
SECTIONS = (
    findings_section,
    table1_section,
    table2_section,
    verification_section,
    claims_section,
    trends_section,
    funding_section,
    timeline_section,
    coverage_section,
    sources_section,
    changes_section,
)

__all__ = ["VDEM_YEARS", "Report", "ReportInputs", "Vocabulary", "build_report", "template_sources"]


@dataclass(frozen=True)
class Report:
    markdown: str
    html: str
    charts: dict[str, str]


def build_sections(data: ReportInputs) -> list[Section]:
    return [make(data) for make in SECTIONS]


def build_report(data: ReportInputs) -> Report:
    sections = build_sections(data)
    return Report(
        markdown=render_markdown(TITLE, sections),
        html=render_html(TITLE, sections),
        charts=_chart_files(sections),
    )


def _chart_files(sections: list[Section]) -> dict[str, str]:
    """Each chart's two layouts as files: <name>.svg (wide) and <name>-narrow.svg."""
    files = {}
    for block in (b for s in sections for b in s.blocks if isinstance(b, Chart)):
        files[block.name] = block.figure.wide
        files[f"{block.name}-narrow"] = block.figure.narrow
    return files
