"""Run a table spec's rules inside DuckDB, as SQL compiled from the same declarations pandera
uses (schemas/rules.py). One scan counts the failures of every rule; only failing rules are
scanned again, for a few example rows; the key is checked with a GROUP BY. This is how marts
and large sources are validated without loading them into pandas.

Belongs here: running compiled rules and reporting their failures. Stays out: the rules.
"""

from __future__ import annotations

import duckdb

from pipeline.schemas.spec import SqlCheck, TableSpec, quote_ident
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
    counts = _failure_counts(con, relation, checks)
    problems = []
    for check, failures in zip(checks, counts, strict=True):
        if failures:
            problems += _examples(con, relation, check, shown_as, place, failures, line, unit)
    return problems + key_problems(con, spec, relation, shown_as, line, unit)


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


def key_problems(con, spec, relation, shown_as, line: str | None = None, unit="line"):
    """Rows whose key is not unique: each row named when rows have lines, else each key."""
    if not spec.primary_key:
        return []
    keys = ", ".join(quote_ident(k) for k in spec.primary_key)
    rule = f"key ({', '.join(spec.primary_key)}) is unique"
    column = ", ".join(spec.primary_key)
    # A hash aggregate finds the clashing keys (cheap); only then are their rows looked up.
    duplicates = con.execute(
        f"SELECT concat_ws(', ', {keys}), count(*) FROM {relation} "  # noqa: S608
        f"GROUP BY {keys} HAVING count(*) > 1 LIMIT {EXAMPLES_PER_RULE}"
    ).fetchall()
    if not duplicates:
        return []
    if line is None:
        return [Problem(shown_as, None, column, rule, f"{key} ({n} rows)") for key, n in duplicates]
    rows = con.execute(
        f"SELECT {line}, concat_ws(', ', {keys}), count(*) OVER (PARTITION BY {keys}) AS n "  # noqa: S608
        f"FROM {relation} QUALIFY n > 1 ORDER BY 1 LIMIT {EXAMPLES_PER_RULE}"
    ).fetchall()
    return [
        _problem(shown_as, at, column, rule, f"{key} ({n} rows)", line, unit) for at, key, n in rows
    ]
