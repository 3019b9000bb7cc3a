"""Rules that span raw files: keys that point into other files, and agreements between tables.
Each is a query over the files' typed tables in DuckDB that returns the rows breaking it, with
their lines, as the marts' checks across tables are (transforms/models/mart_checks.py).

Belongs here: foreign-key resolution (country codes, citation keys, factor labels, event ids)
and cross-table rules (Table 2's global column equals Table 1's Kazakhstan column; each Figure 1
label maps to the country that `countries.csv` gives for it). Stays out: single-file rules.
"""

from __future__ import annotations

import duckdb

from pipeline.schemas.raw import RAW_BY_NAME
from pipeline.schemas.raw.table import ForeignKey, RawTable
from pipeline.schemas.spec import quote_ident
from pipeline.transforms.problems import Problem

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
    con: duckdb.DuckDBPyConnection, relations: dict[str, str]
) -> dict[str, list[Problem]]:
    """Every cross-file problem, keyed by the raw table it is reported on. `relations[name]` is
    the typed table file `name` was read into, with each row's file `line`."""
    found: dict[str, list[Problem]] = {name: [] for name in relations}
    for name, relation in relations.items():
        table = RAW_BY_NAME[name]
        for key in table.foreign_keys:
            if key.ref_table in relations:
                found[name] += foreign_key_problems(
                    con, table, key, relation, relations[key.ref_table]
                )
    if set(COMPARISONS[0]) <= relations.keys():
        found["table2_kazakhstan_ranks"] += table2_global_matches_table1(
            con, relations["table2_kazakhstan_ranks"], relations["table1_ranks"]
        )
    if set(COMPARISONS[1]) <= relations.keys():
        found["figure1_bars"] += figure_labels_match_countries(
            con, relations["figure1_bars"], relations["countries"]
        )
    return found


def _values(column: str, is_list: bool) -> str:
    """A column's values, one per row: the items of a ';'-separated list (an empty item too)."""
    text = f"CAST({quote_ident(column)} AS VARCHAR)"
    return f"unnest(string_split({text}, ';'))" if is_list else text


def foreign_key_problems(
    con, table: RawTable, key: ForeignKey, relation: str, referenced: str
) -> list[Problem]:
    """Each value of `key.column` that no row of the referenced table holds, on its line."""
    known = (
        f"SELECT v FROM (SELECT {_values(key.ref_column, key.ref_is_list)} AS v "  # noqa: S608
        f"FROM {referenced}) WHERE v IS NOT NULL"
    )
    rows = con.execute(
        f"SELECT line, v FROM (SELECT line, {_values(key.column, key.is_list)} AS v "  # noqa: S608
        f"FROM {relation}) WHERE v IS NOT NULL AND v NOT IN ({known}) ORDER BY line, v"
    ).fetchall()
    rule = f"every value is a known {key.ref_table}.{key.ref_column}"
    return [Problem(_shown(table), line, key.column, rule, value) for line, value in rows]


def table2_global_matches_table1(con, table2: str, table1: str) -> list[Problem]:
    """Table 2's 'Rating (global)' column must equal Table 1's Kazakhstan column, row by row
    (a mistyped or missing rank is reported by its own rule)."""
    rows = con.execute(
        f"SELECT t2.line, t2.rank, kz.rank FROM {table2} AS t2 LEFT JOIN ("  # noqa: S608
        f"SELECT row_label, any_value(rank) AS rank FROM {table1} "
        "WHERE country_name = 'Kazakhstan' GROUP BY row_label) AS kz USING (row_label) "
        "WHERE t2.scope = 'global' AND t2.rank IS NOT NULL AND kz.rank IS DISTINCT FROM t2.rank "
        "ORDER BY t2.line"
    ).fetchall()
    rule = "global rank equals Table 1's Kazakhstan rank for the same factor"
    shown = _shown(RAW_BY_NAME["table2_kazakhstan_ranks"])
    return [
        Problem(shown, line, "rank", rule, f"{rank} vs Table 1: {expected}")
        for line, rank, expected in rows
    ]


def figure_labels_match_countries(con, figure: str, countries: str) -> list[Problem]:
    """TD is Chad's ISO code and TR Turkey's: the label must map to the country that
    countries.csv lists it under (paper_codes), never to an ISO lookup."""
    rows = con.execute(
        f"SELECT line, label_as_printed, country_iso3 FROM {figure} AS f "  # noqa: S608
        f"WHERE NOT EXISTS (SELECT 1 FROM {countries} AS c WHERE c.country_iso3 = f.country_iso3 "
        "AND list_contains(string_split(c.paper_codes, ';'), f.label_as_printed)) ORDER BY line"
    ).fetchall()
    rule = "label maps to the country whose paper_codes list it (countries.csv)"
    shown = _shown(RAW_BY_NAME["figure1_bars"])
    return [
        Problem(shown, line, "country_iso3", rule, f"{label} -> {iso3}")
        for line, label, iso3 in rows
    ]


def _shown(table: RawTable) -> str:
    return f"raw/{table.relative_path}"
