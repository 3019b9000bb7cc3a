"""WJP's overall score across its editions for the states it covers, against its published
average for their region: a line chart with its axes titled and its non-zero axis said, and
the scores in a table.

Belongs here: that section. Stays out: drawing (pipeline/transforms/report/charts/lines.py).
"""

from __future__ import annotations

import pandas as pd

from pipeline.transforms.report import charts
from pipeline.transforms.report.blocks import Chart, Section, link, paragraph, table
from pipeline.transforms.report.inputs import ReportInputs
from pipeline.transforms.report.sections.paper_tables import WJP_RELATION
from pipeline.transforms.report.words import (
    count,
    country_order,
    in_country_order,
    record_url,
)

REGION_SUFFIX = " (WJP 2025 grouping)"


def trends_section(data: ReportInputs) -> Section:
    indicators = data.indicators
    wjp = indicators[
        (indicators["source_id"] == "wjp_roli")
        & (indicators["scope"] == "global")
        & (indicators["factor_code"] == "overall")
    ]
    title = "WJP's overall score across its editions, against the regional average"
    if wjp.empty:
        return Section(
            "trends",
            title,
            [paragraph("No WJP data in this refresh (its download was unavailable).")],
        )
    order = country_order(indicators, data.countries)
    central = in_country_order(
        data.countries[data.countries["is_central_asia"]], order, "country_iso3"
    )
    labels = dict(zip(wjp["edition_year"].astype(int), wjp["edition_label"], strict=False))
    series, rows, missing = [], [], []
    for country in central.itertuples():
        points = _points(wjp[wjp["country_iso3"] == country.country_iso3], "score")
        if not points:
            missing.append(country.country_name)
            continue
        series.append(charts.Series(country.country_name, points))
        rows.append([country.country_name, *_by_edition(points, labels)])
    for region in _regions_of(indicators, central):
        average = data.wjp_region_averages
        average = average[(average["region"] == region) & (average["measure_code"] == "overall")]
        points = _points(average, "average_score")
        series.append(charts.Series(f"{region} average", points, dashed=True))
        rows.append([f"{region} (WJP's average)", *_by_edition(points, labels)])
    years = sorted(labels)
    chart = charts.line_chart(
        series,
        labels,
        title,
        charts.Axes("WJP edition (the 2017-18 edition is one)", "Overall score"),
    )
    first, last = labels[years[0]], labels[years[-1]]
    url = record_url(data.source_files, WJP_RELATION)
    not_covered = (
        f" {' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not in WJP's index."
        if missing
        else ""
    )
    return Section(
        "trends",
        title,
        [
            paragraph(
                f"WJP's published overall scores, {count(len(years), 'edition')} from {first} to "
                f"{last}, and WJP's published average for the states' region (its 2025 "
                f"grouping).{not_covered}"
            ),
            Chart(
                "score_trends",
                chart,
                "Overall rule-of-law score of each state by WJP edition, against its region",
                f"WJP Rule of Law Index overall score, 0 (weakest) to 1 (strongest), editions "
                f"{first} to {last}; dashed: the regional average",
                ("Source: ", link("WJP Rule of Law Index data", url), "."),
                "The scores are in the table below.",
            ),
            table(
                "Overall score by edition.",
                ["Series", *(f"{labels[y]}#" for y in years)],
                rows,
                folded=True,
            ),
        ],
    )


def _points(frame: pd.DataFrame, column: str) -> list[tuple[int, float]]:
    ordered = frame.sort_values("edition_year")
    return [
        (int(y), float(v)) for y, v in zip(ordered["edition_year"], ordered[column], strict=True)
    ]


def _by_edition(points, labels) -> list[str]:
    values = dict(points)
    return [f"{values[y]:.4f}" if y in values else "–" for y in sorted(labels)]


def _regions_of(indicators: pd.DataFrame, central: pd.DataFrame) -> list[str]:
    wjp = indicators[indicators["source_id"] == "wjp_roli"]
    regional = wjp[(wjp["scope"] == "region") & wjp["country_iso3"].isin(central["country_iso3"])]
    return sorted({name.removesuffix(REGION_SUFFIX) for name in regional["scope_name"]})
