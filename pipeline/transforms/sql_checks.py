"""Run a table spec's rules inside DuckDB, as SQL compiled from the same declarations pandera
uses (schemas/rules.py). One scan counts the failures of every rule; only failing rules are
scanned again, for a few example rows; the key is checked with a GROUP BY. This is how marts
and large sources are validated without loading them into pandas.

Belongs here: running compiled rules and reporting their failures. Stays out: the rules.
"""

from __future__ import annotations

import duckdb

from pipeline.schemas.dated import bound_by_access
from pipeline.schemas.rules import sql_literal
from pipeline.schemas.spec import SqlCheck, TableSpec, quote_ident
from pipeline.transforms.duck import LARGE_PART_ROWS, order_free
from pipeline.transforms.problems import Problem

EXAMPLES_PER_RULE = 20  # failing rows listed per rule; the count is always complete


def validate_relation(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    relation: str,
    shown_as: str,
    *,
    line: str | None = None,
    unit: str = "line",
    extra: list[SqlCheck] | None = None,
) -> list[Problem]:
    """Every rule of `spec` (and `extra`) on `relation`. A failing row is named by its `line`
    column when given (a file's line, or row where `unit` is "row"), else by its key."""
    checks = spec.sql_checks() + list(extra or [])
    place = line or _key_label(spec)
    with order_free(con):  # counts, a grouping, examples with their own ORDER BY
        counts = _failure_counts(con, relation, checks)
        problems = []
        for check, failures in zip(checks, counts, strict=True):
            if failures:
                problems += _examples(con, relation, check, shown_as, place, failures, line, unit)
        return problems + key_problems(con, spec, relation, shown_as, line, unit)


def accessed_problems(
    con, spec: TableSpec, relation: str, shown_as: str, accessed
) -> list[Problem]:
    """The rows of a loaded table dated after `accessed` (its origin record's date_accessed; a
    download's rows were checked against today when parsed): the spec bound by that date
    (schemas/dated.py), rows named by their key. None without a date."""
    bound = bound_by_access(spec, accessed)
    return [] if bound is spec else validate_relation(con, bound, relation, shown_as)


def _key_label(spec: TableSpec) -> str:
    keys = ", ".join(f"CAST({quote_ident(k)} AS VARCHAR)" for k in spec.primary_key)
    return f"concat_ws('/', {keys})" if keys else "NULL"


def _failure_counts(con, relation: str, checks: list[SqlCheck]) -> list[int]:
    if not checks:
        return []
    counts = ", ".join(f"count_if(NOT ({check.holds}))" for check in checks)
    return list(con.execute(f"SELECT {counts} FROM {relation}").fetchall()[0])  # noqa: S608


def _problem(shown_as, place, column, rule, value, line: str | None, unit: str) -> Problem:
    if line and unit == "line":
        return Problem(shown_as, place, column, rule, value)
    return Problem(shown_as, None, column, rule, value, row=None if place is None else str(place))


def _examples(con, relation, check: SqlCheck, shown_as, place, failures, line, unit):
    rows = con.execute(
        f"SELECT {place}, {check.shown} FROM {relation} WHERE NOT ({check.holds}) "  # noqa: S608
        f"ORDER BY 1 NULLS LAST LIMIT {EXAMPLES_PER_RULE}"
    ).fetchall()
    problems = [
        _problem(shown_as, at, check.column, check.name, value, line, unit) for at, value in rows
    ]
    if failures > len(rows):
        problems.append(
            Problem(shown_as, None, check.column, check.name, f"... {failures} rows in all")
        )
    return problems


def key_problems(
    con, spec, relation, shown_as, line: str | None = None, unit="line", large=LARGE_PART_ROWS
):
    """Rows whose key is not unique: each row named when rows have lines, else each key."""
    if not spec.primary_key:
        return []
    problems = []
    for part in key_parts(con, relation, spec.primary_key, large):
        problems += _key_problems(con, spec, part, shown_as, line, unit)
    return problems[:EXAMPLES_PER_RULE]


def key_parts(con, relation: str, key, large: int = LARGE_PART_ROWS) -> list[str]:
    """The relation, split by the key's first column where one of its values holds a large part
    (two rows can only clash when their first columns are equal): a grouping never spans a
    union of millions of rows and the other sources' rows, which held more memory than DuckDB's
    limit at 50 million rows."""
    if len(key) < 2:
        return [relation]
    lead = quote_ident(key[0])
    large = [
        value
        for (value,) in con.execute(
            f"SELECT {lead} FROM {relation} GROUP BY 1 "  # noqa: S608
            f"HAVING count(*) >= {large} AND {lead} IS NOT NULL ORDER BY 1"
        ).fetchall()
    ]
    if not large:
        return [relation]
    listed = ", ".join(sql_literal(v) for v in large)
    rest = f"(SELECT * FROM {relation} WHERE {lead} NOT IN ({listed}) OR {lead} IS NULL)"  # noqa: S608
    return [f"(SELECT * FROM {relation} WHERE {lead} = {sql_literal(v)})" for v in large] + [rest]  # noqa: S608


def _key_problems(con, spec, relation, shown_as, line: str | None, unit: str):
    keys = ", ".join(quote_ident(k) for k in spec.primary_key)
    rule = f"key ({', '.join(spec.primary_key)}) is unique"
    column = ", ".join(spec.primary_key)
    # Rows whose keys hash alike are found by grouping one 64-bit hash per row (a grouping on the
    # key's own columns spilled to disk at 50 million rows: 21 s against 6 s); only those rows
    # are grouped by their keys, which tells a clash from a collision.
    alike = (
        f"hash({keys}) IN (SELECT h FROM (SELECT hash({keys}) AS h FROM {relation}) "  # noqa: S608
        "GROUP BY h HAVING count(*) > 1)"
    )
    duplicates = con.execute(
        f"SELECT concat_ws(', ', {keys}), count(*) FROM {relation} WHERE {alike} "  # noqa: S608
        f"GROUP BY {keys} HAVING count(*) > 1 LIMIT {EXAMPLES_PER_RULE}"
    ).fetchall()
    if not duplicates:
        return []
    if line is None:
        return [Problem(shown_as, None, column, rule, f"{key} ({n} rows)") for key, n in duplicates]
    rows = con.execute(
        f"SELECT {line}, concat_ws(', ', {keys}), count(*) OVER (PARTITION BY {keys}) AS n "  # noqa: S608
        f"FROM {relation} WHERE {alike} QUALIFY n > 1 ORDER BY 1 LIMIT {EXAMPLES_PER_RULE}"
    ).fetchall()
    return [
        _problem(shown_as, at, column, rule, f"{key} ({n} rows)", line, unit) for at, key, n in rows
    ]
