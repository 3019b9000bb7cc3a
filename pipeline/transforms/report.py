"""The summary report: the paper's tables rebuilt from the marts and verified, what the primary
sources say about the paper (claims, errata, V-Dem), trends, the funding picture with a safe
total, the timeline, coverage, sources and the changes since the last release, as Markdown and
as one self-contained HTML file that reads on a phone and on a desktop.

Belongs here: choosing and arranging what the report says (pure functions of mart frames).
The content is built once as sections of blocks, then rendered twice (Markdown, HTML), so the
two formats cannot drift. Every text from data is escaped in both. Stays out: file I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

import pandas as pd

from pipeline.transforms import charts
from pipeline.transforms.download_sources import WJP

# The timeline's categories in four families, one colour each (colour-blind safe palette).
CATEGORY_FAMILY = {
    **dict.fromkeys(
        (
            "convention",
            "charter",
            "strategy",
            "action_plan",
            "law",
            "decree",
            "resolution",
            "agreement",
        ),
        "law and policy",
    ),
    **dict.fromkeys(("meeting", "membership", "anniversary", "treaty_body"), "diplomacy"),
    **dict.fromkeys(("programme", "funding"), "programmes and funding"),
    **dict.fromkeys(("protest", "election", "global_event"), "events"),
}
WJP_RECORD = f"raw/{WJP.folder}/{WJP.stem}.meta.yml"
VERDICTS = ("supported", "partly_supported", "contradicted", "not_checkable")
REGIMES = {
    0: "closed autocracy",
    1: "electoral autocracy",
    2: "electoral democracy",
    3: "liberal democracy",
}
REGIME_COLOURS = {0: "#D55E00", 1: "#E69F00", 2: "#56B4E9", 3: "#0072B2"}
VDEM_YEARS = (2000, 2024)
FACTOR_ORDER = ("overall", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8")
SCOPE_ORDER = ("region", "income_group", "global")
_COLUMN_IN_LOCATOR = re.compile(r"column (\d+)")


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    folded: bool = False  # a long reference table: shown folded (<details>) under its chart


@dataclass(frozen=True)
class Chart:
    name: str  # file name stem under reports/charts/ (the narrow layout: <name>-narrow.svg)
    figure: charts.Figure
    alt: str


@dataclass
class Section:
    anchor: str
    title: str
    blocks: list = field(default_factory=list)


@dataclass(frozen=True)
class ReportInputs:
    indicators: pd.DataFrame
    funding: pd.DataFrame
    timeline: pd.DataFrame
    references: pd.DataFrame
    source_files: pd.DataFrame  # raw.source_files: every file and download, with its status
    countries: pd.DataFrame
    paper_verification: pd.DataFrame  # paper_table, scope, verification, cells
    wjp_snapshot: pd.DataFrame  # one row: status, reason, url, sha256, obtained_from
    wjp_region_averages: pd.DataFrame
    paper_claims: pd.DataFrame  # marts.paper_claims
    errata: pd.DataFrame  # marts.errata
    vdem: pd.DataFrame  # marts.indicators, vdem_ert rows of the Central Asian states
    funding_totals: pd.DataFrame  # marts.funding_totals
    coverage: pd.DataFrame  # marts.coverage
    rank_comparison: pd.DataFrame  # marts.wjp_rank_comparison: agreement, rows
    release_changes: pd.DataFrame | None = None  # marts.release_changes
    accepted_shrinks: tuple[str, ...] = ()  # the release guard's findings the user accepted


@dataclass(frozen=True)
class Report:
    markdown: str
    html: str
    charts: dict[str, str]


def build_report(data: ReportInputs) -> Report:
    sections = [
        headline_section(data.indicators),
        table1_section(data.indicators),
        table2_section(data.indicators),
        verification_section(
            data.indicators, data.paper_verification, data.wjp_snapshot, data.rank_comparison
        ),
        primary_sources_section(data.paper_claims, data.errata, data.vdem, data.countries),
        trend_section(data.indicators, data.countries, data.wjp_region_averages),
        funding_section(data.funding, data.funding_totals),
        timeline_section(data.timeline, data.countries),
        coverage_section(data.coverage),
        sources_section(data.source_files, data.references),
        changes_section(data.release_changes, data.accepted_shrinks),
    ]
    title = "Human-rights indicators for Central Asia and the EU: summary"
    return Report(
        markdown=render_markdown(title, sections),
        html=render_html(title, sections),
        charts=_chart_files(sections),
    )


# --- content ---------------------------------------------------------------------------------


def paper_rows(indicators: pd.DataFrame) -> pd.DataFrame:
    return indicators[indicators["source_id"].str.startswith("paper_")].copy()


def table1_cells(indicators: pd.DataFrame) -> pd.DataFrame:
    rows = paper_rows(indicators)
    rows = rows[rows["source_locator"].str.startswith("Table 1")]
    rows = rows.assign(column_number=rows["source_locator"].map(_column_number))
    return rows


def _column_number(locator: str) -> int:
    match = _COLUMN_IN_LOCATOR.search(locator)
    return int(match.group(1)) if match else 0


def _factor_rank(code: str) -> int:
    return FACTOR_ORDER.index(code)


def table1_section(indicators: pd.DataFrame) -> Section:
    cells = table1_cells(indicators)
    current = cells[cells["edition_year"] == cells["edition_year"].max()]
    countries = current.sort_values("column_number").drop_duplicates("country_iso3")
    factors = current.drop_duplicates("factor_code").sort_values(
        "factor_code", key=lambda s: s.map(_factor_rank)
    )
    previous = cells[cells["edition_year"] < cells["edition_year"].max()]
    rows = []
    for factor in factors.itertuples():
        row = [factor.paper_label]
        for country in countries.itertuples():
            row.append(_table1_cell(current, previous, country.country_iso3, factor.factor_code))
        rows.append(row)
    year = int(current["edition_year"].max())
    heat = charts.rank_heatmap(
        rows=list(factors["paper_label"]),
        columns=list(countries["country_name"]),
        cells=[
            charts.HeatCell(
                r.paper_label, r.country_name, _int_or_none(r.rank), _int_or_none(r.n_ranked)
            )
            for r in current.itertuples()
        ],
        title=f"WJP Rule of Law Index {year}: global rank by factor (paper, Table 1)",
        short_columns=list(countries["country_iso3"]),
    )
    return Section(
        "table1",
        f"Table 1 rebuilt: Central Asian ranks, WJP Rule of Law Index {year}",
        [
            Table(
                "Global rank per factor (rank in the previous edition in parentheses); '–' = no "
                "data. Source: the paper, Table 1 (marts.indicators, source_id 'paper_table1').",
                ["Factor (paper's label)", *countries["country_name"]],
                rows,
            ),
            Chart(
                "rank_heatmap",
                heat,
                "Heat map of the ranks in the table above; darker is better, hatched is no data.",
            ),
        ],
    )


def _table1_cell(current, previous, iso3: str, factor: str) -> str:
    cell = current[(current["country_iso3"] == iso3) & (current["factor_code"] == factor)]
    if cell.empty or pd.isna(cell.iloc[0]["rank"]):
        return "–"
    text = str(int(cell.iloc[0]["rank"]))
    before = previous[(previous["country_iso3"] == iso3) & (previous["factor_code"] == factor)]
    if not before.empty:
        text += f" ({int(before.iloc[0]['rank'])} in {int(before.iloc[0]['edition_year'])})"
    return text


def table2_section(indicators: pd.DataFrame) -> Section:
    rows_all = paper_rows(indicators)
    cells = rows_all[rows_all["source_locator"].str.startswith("Table 2")]
    factors = cells.drop_duplicates("factor_code").sort_values(
        "factor_code", key=lambda s: s.map(_factor_rank)
    )
    rows = []
    for factor in factors.itertuples():
        row = [factor.paper_label]
        for scope in SCOPE_ORDER:
            hit = cells[(cells["factor_code"] == factor.factor_code) & (cells["scope"] == scope)]
            row.append(
                "–" if hit.empty else f"{int(hit.iloc[0]['rank'])}/{int(hit.iloc[0]['n_ranked'])}"
            )
        rows.append(row)
    scope_names = [_scope_header(cells, scope) for scope in SCOPE_ORDER]
    positions = charts.rank_heatmap(
        rows=list(factors["paper_label"]),
        columns=["Region", "Income group", "Global"],
        cells=[
            charts.HeatCell(
                r.paper_label,
                {"region": "Region", "income_group": "Income group", "global": "Global"}[r.scope],
                _int_or_none(r.rank),
                _int_or_none(r.n_ranked),
            )
            for r in cells.itertuples()
        ],
        title="Kazakhstan 2022: position within region, income group and world (paper, Table 2)",
        chart_id="positions",
        short_columns=["Region", "Income", "Global"],
    )
    return Section(
        "table2",
        "Table 2 rebuilt: Kazakhstan within its region, income group and the world, 2022",
        [
            Table(
                "Rank/number ranked. Source: the paper, Table 2 (marts.indicators, "
                "source_id 'paper_table2').",
                ["Factor (paper's label)", *scope_names],
                rows,
            ),
            Chart(
                "kazakhstan_positions",
                positions,
                "Kazakhstan's ranks side by side in the three scopes, coloured by percentile.",
            ),
        ],
    )


def _scope_header(cells: pd.DataFrame, scope: str) -> str:
    hit = cells[cells["scope"] == scope]
    name = hit.iloc[0]["scope_name"] if not hit.empty else scope
    return f"{scope.replace('_', ' ')} ({name})"


def headline_section(indicators: pd.DataFrame) -> Section:
    cells = table1_cells(indicators)
    latest = int(cells["edition_year"].max())
    lines = []
    for _, group in cells.sort_values("column_number").groupby("country_iso3", sort=False):
        name = group.iloc[0]["country_name"]
        current = group[(group["edition_year"] == latest) & group["rank"].notna()]
        factors = current[current["factor_code"] != "overall"]
        if factors.empty:
            lines.append(f"{name}: no data in the paper's Table 1 ({latest}).")
            continue
        ranks = factors["rank"].astype(int)
        lines.append(
            f"{name}: best {_extreme(factors, ranks.min())}, worst "
            f"{_extreme(factors, ranks.max())}; {_movement(group, latest)}"
        )
    source = Paragraph(
        f"Source: the paper's Table 1 (WJP Rule of Law Index {latest}, with the "
        "previous-edition ranks in parentheses): marts.indicators, source_id "
        "'paper_table1'; each cell's verification is shown below."
    )
    return Section("headlines", "Headline facts", [*(Paragraph(line) for line in lines), source])


def _extreme(factors: pd.DataFrame, rank: int) -> str:
    """The factor(s) at `rank`, ties named together: 'factor X (rank 64)' or 'factors X and
    Y (both rank 64)'."""
    names = list(factors[factors["rank"].astype(int) == rank]["factor_name"])
    if len(names) == 1:
        return f"factor {names[0]} (rank {rank})"
    listed = ", ".join(names[:-1]) + f" and {names[-1]}"
    both = "both" if len(names) == 2 else f"all {len(names)}"
    return f"factors {listed} ({both} rank {rank})"


def _movement(group: pd.DataFrame, latest: int) -> str:
    overall = group[(group["factor_code"] == "overall") & group["rank"].notna()]
    now = overall[overall["edition_year"] == latest]
    before = overall[overall["edition_year"] < latest].sort_values("edition_year")
    if now.empty or before.empty:
        return "no earlier overall rank in the paper."
    old, new = int(before.iloc[-1]["rank"]), int(now.iloc[0]["rank"])
    year = int(before.iloc[-1]["edition_year"])
    change = old - new
    verb = "up" if change > 0 else "down" if change < 0 else "unchanged"
    amount = f" {abs(change)} place{'s' if abs(change) != 1 else ''}" if change else ""
    return f"overall rank {old} in {year} to {new} in {latest} ({verb}{amount})."


def verification_section(
    indicators: pd.DataFrame,
    counts: pd.DataFrame,
    snapshot: pd.DataFrame,
    rank_comparison: pd.DataFrame,
) -> Section:
    status = snapshot.iloc[0] if not snapshot.empty else None
    if status is None or status["status"] != "available":
        reason = "not run" if status is None else status["reason"]
        intro = (
            f"The WJP snapshot was not available in this refresh ({reason}); every cell "
            "of the paper is marked not_checked."
        )
    else:
        intro = (
            f"Every cell of the paper's Tables 1 and 2 was compared with the World Justice "
            f"Project's own data (the snapshot pinned in {WJP_RECORD}, sha256 "
            f"{status['sha256'][:12]}…), ranks computed from WJP's published scores "
            "(competition ranking on 4-decimal scores)."
        )
    rows = [
        [r.paper_table, r.scope, r.verification, str(int(r.cells))] for r in counts.itertuples()
    ]
    paper = paper_rows(indicators)
    notable = paper[paper["verification"].isin(["mismatch", "unverifiable"])]
    notes = [
        [r.source_locator, r.verification, r.verification_note]
        for r in notable.sort_values("source_locator").itertuples()
    ]
    blocks = [
        Paragraph(intro),
        Table(
            "Cells per table, scope and status (marts.paper_verification).",
            ["Table", "Scope", "Status", "Cells"],
            rows,
        ),
    ]
    if notes:
        blocks.append(
            Table(
                "Cells the source contradicts or cannot check, and why.",
                ["Cell", "Status", "What was compared"],
                notes,
                folded=True,
            )
        )
    blocks += _rank_comparison_blocks(rank_comparison)
    return Section("verification", "Does the primary source confirm the paper?", blocks)


def _rank_comparison_blocks(comparison: pd.DataFrame) -> list:
    """WJP's own published ranks against the computed ones (marts.wjp_rank_comparison)."""
    if comparison.empty:
        return []
    counts = comparison["agreement"].value_counts()
    year = int(comparison["edition_year"].max())
    text = (
        f"The rank rule checked against WJP's own {year} ranks (overall and eight factors; "
        f"global, regional and income-group): {int(counts.get('same', 0)):,} of "
        f"{len(comparison):,} agree; {int(counts.get('tie_order', 0))} differ only in the "
        "order WJP gives countries tied at 4 decimals (the rule here gives a tie one shared "
        f"rank); {int(counts.get('differs', 0))} differ otherwise."
    )
    ties = comparison[comparison["agreement"] != "same"].sort_values(
        ["measure_code", "scope", "published_rank"]
    )
    rows = [
        [
            r.country_iso3,
            r.measure_code,
            r.scope,
            str(r.computed_rank),
            str(r.published_rank),
            r.explanation or "",
        ]
        for r in ties.itertuples()
    ]
    blocks: list = [Paragraph(text)]
    if rows:
        blocks.append(
            Table(
                "Each computed rank that differs from WJP's published one, and why "
                "(marts.wjp_rank_comparison).",
                ["Country", "Measure", "Scope", "Computed", "WJP", "Why"],
                rows,
                folded=True,
            )
        )
    return blocks


def primary_sources_section(
    claims: pd.DataFrame, errata: pd.DataFrame, vdem: pd.DataFrame, countries: pd.DataFrame
) -> Section:
    """The paper's checkable claims by verdict, its errata, and V-Dem's electoral democracy
    index for the five states with its interval and the regime type."""
    counts = claims["verdict"].value_counts()
    summary = (
        f"{len(claims)} claims of the paper that a primary source held here can check: "
        + ", ".join(f"{int(counts.get(v, 0))} {v.replace('_', ' ')}" for v in VERDICTS)
        + ". Each verdict is computed from the evidence by the claim's rule, stated before "
        "looking at the data (marts.paper_claims); none is set by hand."
    )
    order = {v: i for i, v in enumerate(VERDICTS)}
    ordered = claims.assign(_order=claims["verdict"].map(order)).sort_values(["_order", "claim_id"])
    verdict_rows = [[r.paper_quote, r.verdict.replace("_", " ")] for r in ordered.itertuples()]
    claim_rows = [
        [r.claim_id, r.verdict.replace("_", " "), r.evidence, r.rule, r.erratum or ""]
        for r in ordered.itertuples()
    ]
    errata_rows = [
        [
            f"{r.target_mart}: {r.target_key}",
            r.paper_says,
            r.erratum,
            r.confidence,
            "; ".join(r.source_urls) if len(r.source_urls) else (r.notes or ""),
        ]
        for r in errata.sort_values(["target_mart", "erratum_id"]).itertuples()
    ]
    blocks = [
        Paragraph(summary),
        Table("The paper's claims, by verdict.", ["The paper says", "Verdict"], verdict_rows),
        Table(
            "Each claim's evidence, the rule that decides its verdict, and the erratum where the "
            "paper is wrong.",
            ["Claim", "Verdict", "Evidence", "Rule", "Erratum"],
            claim_rows,
            folded=True,
        ),
        Paragraph(
            f"{len(errata)} errors of the paper, each with its sources and a confidence "
            "(marts.errata); the marts keep the paper's words and carry the correction beside "
            "them in their erratum column."
        ),
        Table(
            "Errata: where the paper is wrong, and what its primary sources say.",
            ["Where", "The paper says", "Correction", "Confidence", "Sources"],
            errata_rows,
            folded=True,
        ),
    ]
    return Section(
        "primary-sources",
        "What the primary sources say about the paper",
        blocks + _vdem_blocks(vdem, countries),
    )


def _vdem_blocks(vdem: pd.DataFrame, countries: pd.DataFrame) -> list:
    first, last = VDEM_YEARS
    if vdem.empty:
        return [Paragraph("V-Dem was not available in this refresh: no chart (see Sources).")]
    central_asia = countries[countries["is_central_asia"]].sort_values("country_name")
    panels, rows = [], []
    for country in central_asia.itertuples():
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
                f"{lo:.3f}-{hi:.3f}",
                REGIMES.get(by_year.get(y), ""),
            ]
            for y, v, lo, hi in points
        ]
    figure = charts.interval_panels(
        panels,
        f"V-Dem electoral democracy index, {first}-{last}, with its 68% interval and the "
        "regime type",
        REGIMES,
        REGIME_COLOURS,
        "electoral democracy index (v2x_polyarchy)",
        "68% interval (codelow to codehigh)",
    )
    return [
        Paragraph(
            "V-Dem's electoral democracy index (0-1) for each state, the band its 68% interval, "
            "and under it the regime type V-Dem's Regimes of the World assigns each year "
            "(marts.indicators, source_id 'vdem_ert'; V-Dem ERT 15.0)."
        ),
        Chart("vdem_democracy", figure, "Small multiples of the values in the table below."),
        Table(
            f"Electoral democracy index and regime type by year, {first}-{last}.",
            ["Country", "Year", "Index", "68% interval", "Regime type"],
            rows,
            folded=True,
        ),
    ]


def trend_section(
    indicators: pd.DataFrame, countries: pd.DataFrame, averages: pd.DataFrame
) -> Section:
    wjp = indicators[
        (indicators["source_id"] == "wjp_roli")
        & (indicators["scope"] == "global")
        & (indicators["factor_code"] == "overall")
    ]
    central_asia = countries[countries["is_central_asia"]].sort_values("country_name")
    if wjp.empty:
        return Section(
            "trends",
            "Overall score across WJP editions",
            [Paragraph("No WJP data in this refresh (snapshot unavailable).")],
        )
    labels = dict(zip(wjp["edition_year"].astype(int), wjp["edition_label"], strict=False))
    series, rows = [], []
    for country in central_asia.itertuples():
        points = _points(wjp[wjp["country_iso3"] == country.country_iso3], "score")
        if not points:
            rows.append([country.country_name, "not in the WJP index", ""])
            continue
        series.append(charts.Series(country.country_name, points))
        rows.append([country.country_name, _trend_text(points, labels), ""])
    region_names = _regions_of(indicators, central_asia)
    for region in region_names:
        average = averages[(averages["region"] == region) & (averages["measure_code"] == "overall")]
        points = _points(average, "average_score")
        series.append(charts.Series(f"{region} average", points, dashed=True))
        rows.append([f"{region} (WJP average)", _trend_text(points, labels), "WJP published"])
    chart = charts.line_chart(
        series,
        labels,
        "WJP Rule of Law Index overall score by edition: "
        "Central Asian countries and their region's average",
    )
    return Section(
        "trends",
        "Overall score across WJP editions, against the regional average",
        [
            Paragraph(
                "Scores are WJP's published overall scores (0-1). The regional average is "
                "WJP's published average for the country's region (2025 grouping). "
                "Tajikistan and Turkmenistan are not covered by the index."
            ),
            Chart("score_trends", chart, "Line chart of the scores in the table below."),
            Table(
                "Overall score by edition (source: marts.indicators, source_id 'wjp_roli'; "
                "raw.wjp_region_averages).",
                ["Series", "Scores by edition", "Note"],
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


def _trend_text(points: list[tuple[int, float]], labels: dict[int, str]) -> str:
    return ", ".join(f"{labels.get(y, y)}: {v:.4f}" for y, v in points)


def _regions_of(indicators: pd.DataFrame, central_asia: pd.DataFrame) -> list[str]:
    wjp = indicators[indicators["source_id"] == "wjp_roli"]
    regional = wjp[
        (wjp["scope"] == "region") & wjp["country_iso3"].isin(central_asia["country_iso3"])
    ]
    suffix = " (WJP 2025 grouping)"
    return sorted({name.removesuffix(suffix) for name in regional["scope_name"]})


def funding_section(funding: pd.DataFrame, totals: pd.DataFrame) -> Section:
    known = funding[funding["is_amount_known"]].sort_values(["recipient_code", "claim_id"])
    unknown = funding[~funding["is_amount_known"]].sort_values(["recipient_code", "claim_id"])
    names = dict(zip(funding["recipient_code"], funding["recipient_name"], strict=False))
    total_rows = [
        [
            r.recipient_name,
            "unknown" if pd.isna(r.total_eur) else f"€{float(r.total_eur) / 1e6:,.0f} million",
            r.claim_id_used or "",
            r.left_out_reasons or r.total_missing_reason or "",
            ", ".join(names.get(code, code) for code in r.part_of_totals_of) or "",
        ]
        for r in totals.itertuples()
    ]
    known_rows = [
        [
            r.recipient_name,
            r.scope_as_stated,
            f"{_eur(r.amount_eur)}",
            r.amount_qualifier,
            _source_cell(r),
            "yes: " + ", ".join(r.competing_claim_ids) if r.is_disputed else "no",
            ", ".join(r.overlaps_claim_ids) or "none",
        ]
        for r in known.itertuples()
    ]
    unknown_rows = [
        [
            r.recipient_name,
            r.scope_as_stated,
            r.amount_qualifier,
            r.amount_missing_reason or "",
            _source_cell(r),
        ]
        for r in unknown.itertuples()
    ]
    bars = [
        charts.Bar(
            f"{r.recipient_name}: {r.instrument.replace('_', ' ')}",
            None if pd.isna(r.amount_eur) else float(r.amount_eur) / 1e6,
            r.source_id or "no source found",
        )
        for r in pd.concat([known, unknown]).itertuples()
    ]
    disputed = sorted(set(known[known["is_disputed"]]["recipient_name"]))
    summary = f"{len(known)} claims give an amount and {len(unknown)} do not. " + (
        f"Sources disagree for: {', '.join(disputed)}; both claims are shown, none is chosen."
        if disputed
        else "No two sources disagree."
    )
    return Section(
        "funding",
        "EU funding for Central Asia, 2014-2020: what is known and what is not",
        [
            Paragraph(summary),
            Paragraph(
                "Many claims describe overlapping envelopes (a country's allocation is part of "
                "the regional total), so adding them up double-counts. The figure safe to use "
                "is one claim per recipient, chosen by a stated rule (marts.funding_totals); "
                "country figures are parts of the Central Asia figure, never added to it."
            ),
            Table(
                "One defensible figure per recipient, 2014-2020 (marts.funding_totals).",
                ["Recipient", "Figure", "Claim used", "Left out, and why", "Part of"],
                total_rows,
            ),
            Chart(
                "funding_bars",
                charts.funding_bars(
                    bars,
                    "EU funding claims for Central Asia 2014-2020 (EUR million); hatched = unknown",
                ),
                "Bar chart of the claims in the tables below; unknown amounts are hatched. "
                "Bars overlap in what they count: do not add them.",
            ),
            Table(
                "Every claim with an amount (EUR). Source: marts.funding.",
                [
                    "Recipient",
                    "What it covers",
                    "Amount (EUR)",
                    "Qualifier",
                    "Source",
                    "Disputed",
                    "Overlaps",
                ],
                known_rows,
                folded=True,
            ),
            Table(
                "Claims without an amount, and why.",
                ["Recipient", "What it covers", "Status", "Why", "Source"],
                unknown_rows,
                folded=True,
            ),
        ],
    )


def _eur(amount) -> str:
    return f"{Decimal(str(amount)):,.2f}"


def _source_cell(row) -> str:
    if not row.source_id or pd.isna(row.source_id):
        return "no source found"
    parts = [row.source_title or row.source_id]
    if row.source_url and not pd.isna(row.source_url):
        parts.append(row.source_url)
    if row.source_locator and not pd.isna(row.source_locator):
        parts.append(row.source_locator)
    return " — ".join(parts)


INTERNATIONAL = "EU and the rest of the world"


def timeline_section(timeline: pd.DataFrame, countries: pd.DataFrame) -> Section:
    """The events numbered in date order, on a chart with one lane per Central Asian state and
    one for the EU and the rest of the world, and in a table keyed by the numbers."""
    central_asia = set(countries[countries["is_central_asia"]]["country_iso3"])
    events = timeline.sort_values(["event_date", "event_id"]).reset_index(drop=True)
    numbers = {r.event_id: i for i, r in enumerate(events.itertuples(), start=1)}
    rows = [
        [
            str(numbers[r.event_id]),
            str(r.event_date)[: {"day": 10, "month": 7, "year": 4}[r.date_precision]],
            ", ".join(r.country_iso3s) or "—",
            r.category,
            r.title,
            r.description,
            "; ".join(r.citation_keys) or "none",
            r.erratum or "",
        ]
        for r in events.itertuples()
    ]
    lanes = sorted({c for cs in events["country_iso3s"] for c in cs} & central_asia)
    points = []
    for r in events.itertuples():
        date = pd.Timestamp(r.event_date)
        fraction = date.year + (date.dayofyear - 1) / 366
        for lane in [c for c in r.country_iso3s if c in central_asia] or [INTERNATIONAL]:
            points.append(
                charts.TimelinePoint(
                    fraction,
                    lane,
                    f"{r.date_as_printed}: {r.title}",
                    bool(r.erratum),
                    CATEGORY_FAMILY[r.category],
                    numbers[r.event_id],
                )
            )
    n_errata = int(events["erratum"].notna().sum())
    return Section(
        "timeline",
        "Timeline of events in the paper",
        [
            Paragraph(
                f"{len(events)} dated events, numbered in date order as in the table below; "
                f"{n_errata} carry an erratum (the paper's date is kept, the correction is "
                "shown). Before 2007 the axis gives each year with events one slot, not to "
                "scale."
            ),
            Chart(
                "timeline",
                charts.timeline(
                    points,
                    [INTERNATIONAL, *lanes],
                    "Events in the paper by country and category; outlined diamonds carry an "
                    "erratum",
                    short_lanes=["EU, world", *lanes],
                ),
                "Timeline chart of the numbered events listed below.",
            ),
            Table(
                "Events (date as precise as the paper gives it). Source: marts.timeline.",
                [
                    "#",
                    "Date",
                    "Countries",
                    "Category",
                    "Event",
                    "What the paper says",
                    "Paper cites",
                    "Erratum",
                ],
                rows,
                folded=True,
            ),
        ],
    )


def coverage_section(coverage: pd.DataFrame) -> Section:
    """For the five Central Asian states: which years each source holds, or why none."""
    mine = coverage[coverage["is_central_asia"]]
    indicators = mine[mine["mart"] == "indicators"]
    sources = sorted(indicators["source_id"].unique())
    names = dict(zip(mine["country_code"], mine["country_name"], strict=False))
    rows = []
    for code in sorted(indicators["country_code"].unique()):
        row = [names.get(code) or code]
        for source in sources:
            hit = indicators[
                (indicators["country_code"] == code) & (indicators["source_id"] == source)
            ]
            row.append(_coverage_cell(hit.iloc[0]) if not hit.empty else "")
        rows.append(row)
    other = (
        mine[mine["mart"] != "indicators"]
        .groupby(["mart", "country_code"])
        .agg(first=("first_year", "min"), last=("last_year", "max"), values=("value_rows", "sum"))
    )
    other_rows = [
        [mart, names.get(code) or code, _years(first, last), str(int(values))]
        for (mart, code), (first, last, values) in other.iterrows()
    ]
    return Section(
        "coverage",
        "Coverage: which countries, years and sources",
        [
            Paragraph(
                "What each source holds for the five Central Asian states, and why a cell is "
                "empty: the source was unavailable in this refresh, the country is not in the "
                "index, or not in the paper (marts.coverage, which also covers every other "
                "country)."
            ),
            Table(
                "Indicators: years with a value per source (marts.coverage, mart 'indicators').",
                ["Country", *sources],
                rows,
            ),
            Table(
                "Timeline events and funding claims per country (marts.coverage).",
                ["Mart", "Country", "Years", "Rows with a value"],
                other_rows,
                folded=True,
            ),
        ],
    )


def _coverage_cell(row) -> str:
    if row.status == "covered":
        years = int(row.years)
        return f"{_years(row.first_year, row.last_year)} ({years} year{'s' if years != 1 else ''})"
    return f"{row.status.replace('_', ' ')}: {row.missing_reason}"


def _years(first, last) -> str:
    if pd.isna(first):
        return "none"
    return str(int(first)) if first == last else f"{int(first)}-{int(last)}"


def changes_section(changes: pd.DataFrame | None, accepted: tuple[str, ...]) -> Section:
    """What this release changed against the previous one, and what the user accepted."""
    if changes is None or changes.empty:
        return Section(
            "changes", "Changes since the previous release", [Paragraph("Not computed.")]
        )
    previous = str(changes["previous_release"].iloc[0])
    if previous == "(first release)":
        blocks = [Paragraph("This is the first release: there is nothing to compare with.")]
    else:
        rows = [
            [
                r.mart,
                str(r.rows_before),
                str(r.rows_now),
                str(r.rows_added),
                str(r.rows_removed),
                str(r.rows_changed),
                r.note or "",
            ]
            for r in changes.sort_values("mart").itertuples()
        ]
        blocks = [
            Paragraph(f"Compared with release {previous}, by primary key (marts.release_changes)."),
            Table(
                "Rows per mart: before, now, added, removed, changed.",
                ["Mart", "Before", "Now", "Added", "Removed", "Changed", "Note"],
                rows,
            ),
        ]
    if accepted:
        blocks.append(
            Paragraph(
                "Accepted by the user for this release (refresh --allow-shrink): "
                + "; ".join(accepted)
            )
        )
    return Section("changes", "Changes since the previous release", blocks)


def sources_section(source_files: pd.DataFrame, references: pd.DataFrame) -> Section:
    kinds = {
        "transcription": "transcribed",
        "long_source": "indicator source",
        "download": "download",
    }
    rows = [
        [
            kinds.get(r.kind, r.kind),
            r.path,
            (r.sha256 or "")[:12],
            r.title,
            _source_status(r),
        ]
        for r in source_files.sort_values(["kind", "path"]).itertuples()
    ]
    downloads = source_files[source_files["kind"] == "download"].sort_values("path")
    download_rows = [
        [r.title, r.path, (r.sha256 or "")[:12], _source_status(r), r.license]
        for r in downloads.itertuples()
    ]
    return Section(
        "sources",
        "Sources",
        [
            Paragraph(
                "Every number above comes from these files and downloads (origin record beside "
                f"each in raw/; table raw.source_files). The paper's reference list has "
                f"{len(references)} entries (marts.references)."
            ),
            Table(
                "Primary sources downloaded at run time: the pinned file (first 12 hex digits "
                "of its sha256) and what this refresh had.",
                ["Source", "URL", "Pinned sha256", "In this refresh", "Terms"],
                download_rows,
            ),
            Table(
                "Files and downloads this release was built from (first 12 hex digits of sha256; "
                "for a download, the pinned checksum).",
                ["Kind", "File or URL", "sha256", "Title", "In this refresh"],
                rows,
                folded=True,
            ),
        ],
    )


def _source_status(row) -> str:
    if row.status == "unavailable":
        return f"unavailable: {row.status_reason or 'no reason given'}"
    if row.kind == "download":
        return f"loaded ({row.obtained_from})"
    return "loaded"


def _int_or_none(value) -> int | None:
    return None if pd.isna(value) else int(value)


# --- rendering -------------------------------------------------------------------------------


def _md_escape(text: str) -> str:
    """Text from data as inert Markdown: HTML escaped, and no table breaks, emphasis, links
    or images (the backslash first, so the later escapes are not doubled)."""
    text = escape(str(text), quote=False).replace("\\", "\\\\")
    for char in "|*[]":
        text = text.replace(char, "\\" + char)
    return text.replace("\n", " ")


def render_markdown(title: str, sections: list[Section]) -> str:
    out = [f"# {_md_escape(title)}", "", "Contents:", ""]
    out += [f"- [{_md_escape(s.title)}](#{s.anchor})" for s in sections]
    for section in sections:
        out += ["", f'<a id="{section.anchor}"></a>', f"## {_md_escape(section.title)}", ""]
        for block in section.blocks:
            out += _markdown_block(block) + [""]
    return "\n".join(out).rstrip() + "\n"


def _markdown_block(block) -> list[str]:
    if isinstance(block, Paragraph):
        return [_md_escape(block.text)]
    if isinstance(block, Chart):
        return [f"![{_md_escape(block.alt)}](charts/{block.name}.svg)"]
    lines = [f"*{_md_escape(block.caption)}*", ""]
    lines.append("| " + " | ".join(_md_escape(h) for h in block.headers) + " |")
    lines.append("|" + "---|" * len(block.headers))
    lines += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in block.rows]
    return lines


# Desktop: charts at their own size, tables in a scroll container with the first column kept in
# view. Below 960 px the charts' narrow layouts; below 640 px a wide table shows each row as a
# card of labelled cells, so nothing is wider than the screen.
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;
max-width:1100px;padding:1rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;border-bottom:1px solid #ccc;padding-bottom:.2rem;
margin-top:2rem}nav ol{padding-left:1.2rem}
.table-scroll{overflow-x:auto;margin:.5rem 0 1rem;max-width:100%}
table{border-collapse:collapse;font-size:.9rem;width:100%}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top;
overflow-wrap:break-word}td.long-token{overflow-wrap:anywhere}
th{background:#f0f3f7}td:first-child{position:sticky;left:0;background:#ffffff}
caption{caption-side:top;text-align:left;font-style:italic;padding:.3rem 0}
details{margin:.5rem 0 1rem}summary{cursor:pointer;font-weight:600;padding:.2rem 0}
figure{margin:1rem 0}figcaption{font-size:.85rem;color:#444}
figure svg{display:block;height:auto}.chart-narrow{display:none}
@media (max-width:959px){.chart-wide{display:none}.chart-narrow{display:block}}
@media (max-width:640px){body{padding:.5rem}
table.wide,table.wide tbody,table.wide tr,table.wide td,table.wide caption{display:block}
table.wide thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
table.wide tr{border:1px solid #ccc;margin:0 0 .6rem}
table.wide td{border:none;border-bottom:1px solid #eee;position:static}
table.wide td::before{content:attr(data-label);display:block;font-weight:600;
font-size:.8rem;color:#555}}
"""
# A table of this many columns with a cell of this many characters is shown as cards on a phone;
# a grid of short values (the paper's tables) stays a grid in its scroll container.
WIDE_TABLE_COLUMNS, LONG_CELL_CHARS, LONG_TOKEN_CHARS = 4, 30, 24


def _chart_files(sections: list[Section]) -> dict[str, str]:
    """Each chart's two layouts as files: <name>.svg (wide) and <name>-narrow.svg."""
    files = {}
    for block in (b for s in sections for b in s.blocks if isinstance(b, Chart)):
        files[block.name] = block.figure.wide
        files[f"{block.name}-narrow"] = block.figure.narrow
    return files


def render_html(title: str, sections: list[Section]) -> str:
    toc = "".join(f"<li><a href='#{s.anchor}'>{escape(s.title)}</a></li>" for s in sections)
    body = "".join(_html_section(s) for s in sections)
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:\">"
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1><nav aria-label='Contents'><h2>Contents</h2><ol>{toc}</ol></nav>"
        f"<main>{body}</main></body></html>\n"
    )


def _html_section(section: Section) -> str:
    blocks = "".join(_html_block(b) for b in section.blocks)
    return f"<section id='{section.anchor}'><h2>{escape(section.title)}</h2>{blocks}</section>"


def _html_block(block) -> str:
    if isinstance(block, Paragraph):
        return f"<p>{escape(block.text)}</p>"
    if isinstance(block, Chart):
        return (
            f"<figure><div class='chart-wide'>{block.figure.wide}</div>"
            f"<div class='chart-narrow'>{block.figure.narrow}</div>"
            f"<figcaption>{escape(block.alt)}</figcaption></figure>"
        )
    return _html_table(block)


def _long_token(cell) -> str:
    """A class that lets a cell break a long unbroken token (a URL, a checksum) anywhere;
    other cells break only between words, so that no column is squeezed into broken words."""
    longest = max((len(word) for word in str(cell).split()), default=0)
    return " class='long-token'" if longest > LONG_TOKEN_CHARS else ""


def _has_card_layout(table: Table) -> bool:
    longest = max((len(str(c)) for row in table.rows for c in row), default=0)
    return len(table.headers) >= WIDE_TABLE_COLUMNS and longest >= LONG_CELL_CHARS


def _html_table(table: Table) -> str:
    """A table in its own labelled scroll container; folded under a summary when long."""
    head = "".join(f"<th scope='col'>{escape(h)}</th>" for h in table.headers)
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td data-label='{escape(h)}'{_long_token(c)}>{escape(str(c))}</td>"
            for h, c in zip(table.headers, row, strict=True)
        )
        + "</tr>"
        for row in table.rows
    )
    wide = " class='wide'" if _has_card_layout(table) else ""
    html = (
        f"<div class='table-scroll' role='region' tabindex='0' "
        f"aria-label='{escape(table.caption)}'><table{wide}><caption>{escape(table.caption)}"
        f"</caption><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
    )
    if table.folded:
        summary = f"Show the table: {table.caption} ({len(table.rows)} rows)"
        return f"<details><summary>{escape(summary)}</summary>{html}</details>"
    return html
