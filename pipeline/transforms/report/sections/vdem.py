"""V-Dem's electoral democracy index for the five states, with its 68% interval and the
regime type of each year (named by raw/reference/vdem_regime_types.csv, in its code order).

Belongs here: those blocks of the claims section. Stays out: the claims (claims.py).
"""

from __future__ import annotations

from pipeline.transforms.report import charts
from pipeline.transforms.report.blocks import Chart, Heading, link, paragraph, table
from pipeline.transforms.report.inputs import VDEM_YEARS, ReportInputs
from pipeline.transforms.report.words import country_order, in_country_order, record_url

# Regime types coloured by their place in V-Dem's order (most closed first), from orange to
# blue; a type beyond these takes the next Okabe-Ito colour.
REGIME_RAMP = ("#D55E00", "#E69F00", "#56B4E9", "#0072B2")
VDEM_RELATION = "raw.vdem_ert"


def regime_colours(codes) -> dict[int, str]:
    ordered = sorted(codes)
    palette = REGIME_RAMP + tuple(c for c in charts.OKABE_ITO if c not in REGIME_RAMP)
    return {code: palette[i % len(palette)] for i, code in enumerate(ordered)}


def vdem_blocks(data: ReportInputs) -> list:
    first, last = VDEM_YEARS
    vdem = data.vdem
    heading = Heading(f"V-Dem: electoral democracy and regime type, {first}–{last}", "vdem")
    if vdem.empty:
        return [
            heading,
            paragraph("V-Dem was not available in this refresh: no chart (see Sources)."),
        ]
    regimes = data.vocabulary.regimes
    order = country_order(data.indicators, data.countries)
    central = in_country_order(
        data.countries[data.countries["is_central_asia"]], order, "country_iso3"
    )
    panels, rows = [], []
    for country in central.itertuples():
        mine = vdem[vdem["country_iso3"] == country.country_iso3]
        index = mine[mine["factor_code"] == "v2x_polyarchy"].sort_values("edition_year")
        regime = mine[mine["factor_code"] == "v2x_regime"]
        points = [
            (int(r.edition_year), float(r.score), float(r.score_low), float(r.score_high))
            for r in index.itertuples()
        ]
        categories = [(int(r.edition_year), int(r.score)) for r in regime.itertuples()]
        panels.append(charts.Panel(country.country_name, points, categories))
        by_year = dict(categories)
        rows += [
            [
                country.country_name,
                str(y),
                f"{v:.3f}",
                f"{lo:.3f}–{hi:.3f}",
                regimes.get(by_year.get(y), "unknown"),
            ]
            for y, v, lo, hi in points
        ]
    figure = charts.interval_panels(
        panels,
        f"V-Dem electoral democracy index, {first}–{last}, with its 68% interval and the regime "
        "type",
        charts.Categories(regimes, regime_colours(regimes)),
        "electoral democracy index",
        "68% interval",
        "Index (0 to 1)",
    )
    url = record_url(data.source_files, VDEM_RELATION)
    return [
        heading,
        Chart(
            "vdem_democracy",
            figure,
            "How democratic V-Dem finds each state, year by year",
            f"Electoral democracy index, 0 (least) to 1 (most democratic), {first}–{last}, with "
            "its 68% interval; the strip under each panel is the year's regime type",
            (
                "Source: ",
                link("V-Dem Episodes of Regime Transformation 15.0", url),
                " (its v2x_polyarchy and v2x_regime).",
            ),
            "The values are in the table below.",
        ),
        table(
            f"Electoral democracy index and regime type by year, {first}–{last}.",
            ["Country", "Year#", "Index#", "68% interval#", "Regime type"],
            rows,
            folded=True,
        ),
    ]
