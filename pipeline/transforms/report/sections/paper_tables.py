"""The paper's Tables 1 and 2 rebuilt from marts.indicators in the paper's row and column
order, each factor under the paper's label with WJP's name beside it (the crosswalk, stated
once with its source), the best and worst factor of each state, and a heat map of each table.

Belongs here: the two tables and their charts. Stays out: whether WJP confirms them
(verification.py).
"""

from __future__ import annotations

import pandas as pd

from pipeline.transforms.report import charts
from pipeline.transforms.report.blocks import Chart, Heading, Items, Section, link, paragraph, table
from pipeline.transforms.report.inputs import ReportInputs, Vocabulary
from pipeline.transforms.report.words import column_number, count, humanize, record_url

NO_DATA = "–"  # en dash, as the paper prints an empty cell
CROSSWALK_RELATION = "raw.factor_crosswalk"
WJP_RELATION = "raw.wjp_scores"


def paper_rows(indicators: pd.DataFrame) -> pd.DataFrame:
    return indicators[indicators["source_id"].str.startswith("paper_")].copy()


def table_cells(indicators: pd.DataFrame, number: int) -> pd.DataFrame:
    rows = paper_rows(indicators)
    rows = rows[rows["source_locator"].str.startswith(f"Table {number}")]
    return rows.assign(column_number=rows["source_locator"].map(column_number))


def factor_label(row, vocabulary: Vocabulary) -> str:
    """'Property protection (WJP: Order and Security)': the paper's label, WJP's name beside."""
    wjp = vocabulary.wjp_name(row.factor_code, row.factor_name)
    return f"{row.paper_label} (WJP: {wjp})" if wjp and wjp != row.paper_label else row.paper_label


def _factors(cells: pd.DataFrame, vocabulary: Vocabulary) -> pd.DataFrame:
    return cells.drop_duplicates("factor_code").sort_values(
        "factor_code", key=lambda s: s.map(vocabulary.factor_rank), kind="stable"
    )


def crosswalk_note(data: ReportInputs) -> tuple:
    """The one statement of the paper's labels against WJP's names, with its source."""
    url = record_url(data.source_files, CROSSWALK_RELATION)
    differ = [f for f in data.vocabulary.factors if f.code != "overall"]
    return (
        "The paper's factor labels are its own translations of WJP's factor names, and several "
        "say something else: ",
        "; ".join(f"'{f.paper_label}' is WJP's {f.wjp_name}" for f in differ[:9]),
        ". This report gives WJP's name beside each of the paper's labels. Source: the "
        "crosswalk that matched every Table 1 rank to WJP's published 2022 scores, ",
        link("WJP Rule of Law Index 2022", url),
        " (raw/reference/factor_crosswalk.csv).",
    )


def table1_section(data: ReportInputs) -> Section:
    vocabulary = data.vocabulary
    cells = table_cells(data.indicators, 1)
    year = int(cells["edition_year"].max())
    current = cells[cells["edition_year"] == year]
    previous = cells[cells["edition_year"] < year]
    countries = current.sort_values("column_number").drop_duplicates("country_iso3")
    factors = _factors(current, vocabulary)
    now = {(r.country_iso3, r.factor_code): r for r in current.itertuples()}
    before = {(r.country_iso3, r.factor_code): r for r in previous.itertuples()}
    rows = [
        [f.paper_label, vocabulary.wjp_name(f.factor_code, f.factor_name)]
        + [_cell(now, before, (c.country_iso3, f.factor_code)) for c in countries.itertuples()]
        for f in factors.itertuples()
    ]
    labels = {f.factor_code: factor_label(f, vocabulary) for f in factors.itertuples()}
    heat = charts.rank_heatmap(
        rows=[labels[f] for f in factors["factor_code"]],
        columns=list(countries["country_name"]),
        cells=[
            charts.HeatCell(labels[r.factor_code], r.country_name, _int(r.rank), _int(r.n_ranked))
            for r in current.itertuples()
        ],
        title=f"Global rank of each Central Asian state by factor, WJP Rule of Law Index {year}",
        short_columns=list(countries["country_iso3"]),
    )
    n_ranked = current["n_ranked"].dropna()
    of = f" of {int(n_ranked.max())}" if len(n_ranked) else ""
    return Section(
        "table1",
        f"The paper's Table 1: ranks of the five states, WJP Rule of Law Index {year}",
        [
            paragraph(*crosswalk_note(data)),
            Heading("Best and worst factor of each state"),
            Items(tuple((line,) for line in _extremes(cells, year, vocabulary))),
            Heading("The table, rebuilt"),
            table(
                f"Global rank per factor{of} (1 = best; the previous edition's rank in "
                f"parentheses); '{NO_DATA}' = no data. Source: the paper, Table 1.",
                [
                    "The paper's label",
                    "WJP's factor",
                    *(f"{n}#" for n in countries["country_name"]),
                ],
                rows,
            ),
            Chart(
                "rank_heatmap",
                heat,
                f"Where each state ranks on each factor, {year}",
                f"Global rank{of} countries (1 = best), coloured by fifth of the ranking; darker "
                "is better, hatched is no data",
                (
                    "Source: the paper, Table 1, checked against ",
                    link("WJP Rule of Law Index", _wjp_url(data)),
                    ".",
                ),
                "The same ranks as the table above.",
            ),
        ],
    )


def _wjp_url(data: ReportInputs) -> str | None:
    return record_url(data.source_files, WJP_RELATION)


def _cell(now: dict, before: dict, key: tuple[str, str]) -> str:
    cell = now.get(key)
    if cell is None or pd.isna(cell.rank):
        return NO_DATA
    text = str(int(cell.rank))
    earlier = before.get(key)
    if earlier is not None and not pd.isna(earlier.rank):
        text += f" ({int(earlier.rank)} in {int(earlier.edition_year)})"
    return text


def _extremes(cells: pd.DataFrame, latest: int, vocabulary: Vocabulary) -> list[str]:
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
            f"{name}: best {_named(factors, ranks.min(), vocabulary)}, worst "
            f"{_named(factors, ranks.max(), vocabulary)}; {_movement(group, latest)}"
        )
    return lines


def _named(factors: pd.DataFrame, rank: int, vocabulary: Vocabulary) -> str:
    """The factor(s) at `rank`, ties named together, each as the paper labels it with WJP's
    name beside: 'Property protection (WJP: Order and Security), rank 42'."""
    names = [factor_label(r, vocabulary) for r in factors[factors["rank"] == rank].itertuples()]
    if len(names) == 1:
        return f"{names[0]}, rank {rank}"
    listed = ", ".join(names[:-1]) + f" and {names[-1]}"
    return f"{listed}, {'both' if len(names) == 2 else f'all {len(names)}'} rank {rank}"


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
    amount = f" {count(abs(change), 'place')}" if change else ""
    return f"overall rank {old} in {year} to {new} in {latest} ({verb}{amount})."


def table2_section(data: ReportInputs) -> Section:
    vocabulary = data.vocabulary
    cells = table_cells(data.indicators, 2)
    scopes = cells.sort_values("column_number").drop_duplicates("scope")
    factors = _factors(cells, vocabulary)
    scope_names = {
        s.scope: f"{humanize(s.scope).capitalize()} ({s.scope_name})" for s in scopes.itertuples()
    }
    rows = []
    for factor in factors.itertuples():
        row = [factor.paper_label, vocabulary.wjp_name(factor.factor_code, factor.factor_name)]
        for scope in scopes["scope"]:
            hit = cells[(cells["factor_code"] == factor.factor_code) & (cells["scope"] == scope)]
            row.append(
                NO_DATA
                if hit.empty or pd.isna(hit.iloc[0]["rank"])
                else f"{int(hit.iloc[0]['rank'])}/{int(hit.iloc[0]['n_ranked'])}"
            )
        rows.append(row)
    labels = {f.factor_code: factor_label(f, vocabulary) for f in factors.itertuples()}
    short = {s: humanize(s).capitalize() for s in scopes["scope"]}
    year = int(cells["edition_year"].max()) if len(cells) else ""
    positions = charts.rank_heatmap(
        rows=[labels[f] for f in factors["factor_code"]],
        columns=[short[s] for s in scopes["scope"]],
        cells=[
            charts.HeatCell(labels[r.factor_code], short[r.scope], _int(r.rank), _int(r.n_ranked))
            for r in cells.itertuples()
        ],
        title=f"Kazakhstan {year}: rank within its region, income group and the world",
        chart_id="positions",
        short_columns=[short[s].split()[0] for s in scopes["scope"]],
    )
    return Section(
        "table2",
        f"The paper's Table 2: Kazakhstan within its region, income group and the world, {year}",
        [
            table(
                "Rank / number of countries ranked (1 = best). Source: the paper, Table 2.",
                [
                    "The paper's label",
                    "WJP's factor",
                    *(f"{scope_names[s]}#" for s in scopes["scope"]),
                ],
                rows,
            ),
            Chart(
                "kazakhstan_positions",
                positions,
                f"Kazakhstan's rank on each factor in three comparisons, {year}",
                "Rank / number ranked (1 = best), coloured by fifth of each ranking",
                (
                    "Source: the paper, Table 2, checked against ",
                    link("WJP Rule of Law Index", _wjp_url(data)),
                    ".",
                ),
                "The same ranks as the table above.",
            ),
        ],
    )


def _int(value) -> int | None:
    return None if pd.isna(value) else int(value)
