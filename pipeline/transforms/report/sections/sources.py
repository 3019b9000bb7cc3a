"""The report's last sections: coverage (which years each source holds for the five states,
editions counted as editions and gaps stated as gaps), the sources (every file and download,
linked), and what this release changed against the previous one.

Belongs here: those three sections. Stays out: the data they describe.
"""

from __future__ import annotations

import pandas as pd

from pipeline.transforms.report.blocks import Heading, Section, link, paragraph, table
from pipeline.transforms.report.inputs import ReportInputs
from pipeline.transforms.report.words import (
    count,
    country_order,
    humanize,
    in_country_order,
    source_name,
    years,
)


def counts_editions(indicators: pd.DataFrame, source_id: str) -> bool:
    """A source published in editions (an edition labelled otherwise than its year, as WJP's
    2017-18), or the paper's tables of such a source: its values are counted as editions."""
    rows = indicators[indicators["source_id"] == source_id]
    if source_id.startswith("paper_"):
        return True
    return bool(len(rows)) and bool(
        (rows["edition_label"].astype(str) != rows["edition_year"].astype(str)).any()
    )


def coverage_cell(row, editions: bool) -> str:
    if row.status != "covered":
        return f"{humanize(row.status)}: {row.missing_reason}"
    n, first, last = int(row.years), row.first_year, row.last_year
    if editions:
        return f"{years(first, last)} ({count(n, 'edition')})"
    span = int(last) - int(first) + 1
    if n < span:
        return f"{years(first, last)}: {count(n, 'year')} with a value, {span - n} missing"
    return f"{years(first, last)} ({count(n, 'year')})"


def coverage_section(data: ReportInputs) -> Section:
    coverage = data.coverage
    mine = coverage[coverage["is_central_asia"]]
    indicators = mine[mine["mart"] == "indicators"]
    sources = sorted(indicators["source_id"].unique())
    order = country_order(data.indicators, data.countries)
    names = dict(zip(mine["country_code"], mine["country_name"], strict=False))
    headers = [source_name(s, data.indicators, data.source_files) for s in sources]
    rows = []
    for code in in_country_order(indicators.drop_duplicates("country_code"), order, "country_code")[
        "country_code"
    ]:
        row = [names.get(code) or code]
        for source in sources:
            hit = indicators[
                (indicators["country_code"] == code) & (indicators["source_id"] == source)
            ]
            editions = counts_editions(data.indicators, source)
            row.append(coverage_cell(hit.iloc[0], editions) if not hit.empty else "")
        rows.append(row)
    other = (
        mine[mine["mart"] != "indicators"]
        .groupby(["mart", "country_code"])
        .agg(first=("first_year", "min"), last=("last_year", "max"), values=("value_rows", "sum"))
        .reset_index()
    )
    other = in_country_order(other, order, "country_code").sort_values("mart", kind="stable")
    other_rows = [
        [
            _mart_words(r.mart),
            names.get(r.country_code) or r.country_code,
            years(r.first, r.last),
            f"{int(r.values):,}",
        ]
        for r in other.itertuples()
    ]
    return Section(
        "coverage",
        "Coverage: which countries, years and sources",
        [
            paragraph(
                "What each source holds for the five Central Asian states, and why a cell is "
                "empty: the source was unavailable in this refresh, the country is not in the "
                "index, or not in the paper (the warehouse's coverage table also covers every "
                "other country)."
            ),
            table("Years or editions with a value, per source.", ["Country", *headers], rows),
            table(
                "Timeline events and funding claims per country.",
                ["Data", "Country", "Years", "Rows with a value#"],
                other_rows,
                folded=True,
            ),
        ],
    )


def _mart_words(mart: str) -> str:
    return {"timeline": "timeline events", "funding": "funding claims"}.get(mart, humanize(mart))


def sources_section(data: ReportInputs) -> Section:
    files = data.source_files
    kinds = {
        "transcription": "transcribed",
        "long_source": "indicator source",
        "download": "download",
    }
    downloads = files[files["kind"] == "download"].sort_values("path")
    download_rows = [
        [(link(r.title, r.path),), (r.sha256 or "")[:12], _status(r), r.license]
        for r in downloads.itertuples()
    ]
    rows = [
        [
            kinds.get(r.kind, humanize(r.kind)),
            (link(r.path, r.path),) if r.kind == "download" else r.path,
            (r.sha256 or "")[:12],
            r.title,
            _status(r),
        ]
        for r in files.sort_values(["kind", "path"]).itertuples()
    ]
    return Section(
        "sources",
        "Sources",
        [
            paragraph(
                "Every number above comes from these files and downloads, each with an origin "
                f"record beside it in raw/. The paper's reference list has "
                f"{count(len(data.references), 'entry', 'entries')}."
            ),
            Heading("Primary sources downloaded at run time"),
            table(
                "The pinned file (first 12 hex digits of its sha256) and what this refresh had.",
                ["Source", "Pinned sha256", "In this refresh", "Terms"],
                download_rows,
            ),
            Heading("Every file this release was built from"),
            table(
                "Files and downloads (first 12 hex digits of sha256; for a download, the pinned "
                "checksum).",
                ["Kind", "File or URL", "sha256", "Title", "In this refresh"],
                rows,
                folded=True,
            ),
        ],
    )


def _status(row) -> str:
    if row.status == "unavailable":
        return f"unavailable: {row.status_reason or 'no reason given'}"
    if row.kind == "download":
        return f"loaded ({humanize(row.obtained_from)})"
    return "loaded"


def changes_section(data: ReportInputs) -> Section:
    """What this release changed against the previous one, and what the user accepted."""
    changes, accepted = data.release_changes, data.accepted_shrinks
    title = "Changes since the previous release"
    if changes is None or changes.empty:
        return Section("changes", title, [paragraph("Not computed.")])
    previous = str(changes["previous_release"].iloc[0])
    if previous == "(first release)":
        blocks = [paragraph("This is the first release: there is nothing to compare with.")]
    else:
        rows = [
            [
                f"marts.{r.mart}",
                *(
                    f"{int(v):,}"
                    for v in (
                        r.rows_before,
                        r.rows_now,
                        r.rows_added,
                        r.rows_removed,
                        r.rows_changed,
                    )
                ),
                r.note or "",
            ]
            for r in changes.sort_values("mart").itertuples()
        ]
        blocks = [
            paragraph(f"Compared with release {previous}, row by row (by primary key)."),
            table(
                "Rows per table: before, now, added, removed, changed.",
                ["Table", "Before#", "Now#", "Added#", "Removed#", "Changed#", "Note"],
                rows,
            ),
        ]
    if accepted:
        blocks.append(
            paragraph(
                "Accepted by the user for this release (refresh --allow-shrink): "
                + "; ".join(accepted)
            )
        )
    return Section("changes", title, blocks)
