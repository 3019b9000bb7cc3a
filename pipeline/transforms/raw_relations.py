"""Rules that span raw files: keys that point into other files, and agreements between tables.

Belongs here: foreign-key resolution (country codes, citation keys, factor labels, event ids)
and cross-table rules (Table 2's global column equals Table 1's Kazakhstan column; each Figure 1
label maps to the country that `countries.csv` gives for it). Stays out: single-file rules.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from pipeline.schemas.raw import RAW_BY_NAME, ForeignKey, RawTable
from pipeline.transforms.problems import Problem, is_missing

if TYPE_CHECKING:  # pandas is imported where frames are compared; the graph reads related_tables
    import pandas as pd


def split_list(value) -> list[str]:
    """Items of a ';'-separated cell; an empty cell is an empty list."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return []
    return str(value).split(";")


# Rules between two tables beyond their foreign keys: (table reported on, table compared with).
COMPARISONS = (("table2_kazakhstan_ranks", "table1_ranks"), ("figure1_bars", "countries"))


def related_tables(name: str) -> set[str]:
    """The tables whose rules can change when table `name` changes: itself, the tables its
    keys point into, and the tables whose keys or comparisons point at it (both ways)."""
    related = {name}
    for table in RAW_BY_NAME.values():
        for key in table.foreign_keys:
            if name in (table.name, key.ref_table):
                related |= {table.name, key.ref_table}
    for reported, compared in COMPARISONS:
        if name in (reported, compared):
            related |= {reported, compared}
    return related


def relation_problems(
    frames: dict[str, pd.DataFrame], lines: dict[str, list[int]]
) -> dict[str, list[Problem]]:
    """Every cross-file problem, keyed by the raw table it is reported on. `lines[name][i]` is
    the file line of row i of `frames[name]`."""
    found: dict[str, list[Problem]] = {name: [] for name in frames}
    for name, frame in frames.items():
        table = RAW_BY_NAME[name]
        for key in table.foreign_keys:
            if key.ref_table in frames:
                found[name] += foreign_key_problems(
                    frame, table, key, frames[key.ref_table], lines[name]
                )
    if set(COMPARISONS[0]) <= frames.keys():
        found["table2_kazakhstan_ranks"] += table2_global_matches_table1(
            frames["table2_kazakhstan_ranks"],
            frames["table1_ranks"],
            lines["table2_kazakhstan_ranks"],
        )
    if set(COMPARISONS[1]) <= frames.keys():
        found["figure1_bars"] += figure_labels_match_countries(
            frames["figure1_bars"], frames["countries"], lines["figure1_bars"]
        )
    return found


def foreign_key_problems(
    frame: pd.DataFrame, table: RawTable, key: ForeignKey, referenced: pd.DataFrame, lines
) -> list[Problem]:
    known = _known_keys(referenced[key.ref_column], key.ref_is_list)
    rule = f"every value is a known {key.ref_table}.{key.ref_column}"
    problems = []
    for line, cell in zip(lines, frame[key.column], strict=True):
        values = split_list(cell) if key.is_list else ([] if is_missing(cell) else [cell])
        for value in values:
            if value not in known:
                problems.append(Problem(_shown(table), line, key.column, rule, value))
    return problems


def _known_keys(column: pd.Series, is_list: bool) -> set[str]:
    if not is_list:
        return set(column.dropna())
    return {item for cell in column for item in split_list(cell)}


def table2_global_matches_table1(
    table2: pd.DataFrame, table1: pd.DataFrame, lines: list[int]
) -> list[Problem]:
    """Table 2's 'Rating (global)' column must equal Table 1's Kazakhstan column, row by row."""
    kazakhstan = table1[table1["country_name"] == "Kazakhstan"].set_index("row_label")["rank"]
    problems = []
    for number, row in zip(lines, table2.itertuples(index=False), strict=True):
        if row.scope != "global":
            continue
        expected = kazakhstan.get(row.row_label)
        if is_missing(row.rank):
            continue  # a mistyped or missing rank is reported by its own rule
        if expected is None or is_missing(expected) or int(expected) != int(row.rank):
            rule = "global rank equals Table 1's Kazakhstan rank for the same factor"
            value = f"{row.rank} vs Table 1: {expected}"
            problems.append(
                Problem(_shown(RAW_BY_NAME["table2_kazakhstan_ranks"]), number, "rank", rule, value)
            )
    return problems


def figure_labels_match_countries(
    figure: pd.DataFrame, countries: pd.DataFrame, lines: list[int]
) -> list[Problem]:
    """TD is Chad's ISO code and TR Turkey's: the label must map to the country that
    countries.csv lists it under (paper_codes), never to an ISO lookup."""
    codes_of = {
        row.country_iso3: set(split_list(row.paper_codes))
        for row in countries.itertuples(index=False)
    }
    problems = []
    for number, row in zip(lines, figure.itertuples(index=False), strict=True):
        if row.label_as_printed not in codes_of.get(row.country_iso3, set()):
            rule = "label maps to the country whose paper_codes list it (countries.csv)"
            value = f"{row.label_as_printed} -> {row.country_iso3}"
            problems.append(
                Problem(_shown(RAW_BY_NAME["figure1_bars"]), number, "country_iso3", rule, value)
            )
    return problems


def _shown(table: RawTable) -> str:
    return f"raw/{table.relative_path}"
