"""Run a table spec's rules inside DuckDB: the same rules as its pandera schema, as SQL.

Each field check carries its SQL form (`checks.py`, `statistics["sql"]`), each row rule its
`sql`; required columns become `IS NOT NULL`; the key becomes a GROUP BY. One scan counts the
failures of every rule; only failing rules are scanned again, for a few example rows. This is
how large tables (marts, long indicator sources) are validated without loading them into pandas.

Belongs here: turning specs into SQL and running it. Stays out: the rules themselves
(schemas/).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipeline.schemas.spec import FLOAT, TableSpec, quote_ident
from pipeline.transforms.problems import Problem

EXAMPLES_PER_RULE = 20  # failing rows shown per rule; the count is always complete


@dataclass(frozen=True)
class SqlRule:
    column: str | None
    name: str
    holds: str  # a SQL boolean expression, true where the row obeys the rule
    value: str  # the SQL expression shown for a failing row


def field_rules(spec: TableSpec) -> list[SqlRule]:
    rules = []
    for field in spec.fields:
        column = quote_ident(field.name)
        shown = f"CAST({column} AS VARCHAR)"
        if not field.nullable:
            present = f"{column} IS NOT NULL"
            if field.dtype == FLOAT:  # NaN is missing to pandas; to SQL it is a number
                present = f"({present} AND NOT isnan({column}))"
            rules.append(SqlRule(field.name, "required (not empty)", present, shown))
        for check in field.checks:
            template = (check.statistics or {}).get("sql")
            if template is None:
                raise ValueError(f"{spec.name}.{field.name}: check '{check.name}' has no SQL form")
            predicate = template.replace("{col}", column)
            rules.append(SqlRule(field.name, check.name, f"({column} IS NULL OR ({predicate}))",
                                 shown))  # fmt: skip
    for rule in spec.row_rules:
        if rule.sql is None:
            raise ValueError(f"{spec.name}: row rule '{rule.name}' has no SQL form")
        rules.append(SqlRule(rule.column, rule.name, f"coalesce(({rule.sql}), TRUE)",
                             f"CAST({quote_ident(rule.column)} AS VARCHAR)"))  # fmt: skip
    return rules


def validate_relation(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    relation: str,
    shown_as: str,
    row_number: str | None = None,
    extra_rules: list[SqlRule] | None = None,
) -> list[Problem]:
    """Every rule of `spec` (plus `extra_rules`) on `relation`; problems name the row by the
    `row_number` column when given (1-based), else by no row."""
    rules = field_rules(spec) + list(extra_rules or [])
    counts = _failure_counts(con, relation, rules)
    problems = []
    for rule, failures in zip(rules, counts, strict=True):
        if failures:
            problems += _examples(con, relation, rule, shown_as, row_number, failures)
    problems += key_problems(con, spec, relation, shown_as, row_number)
    return problems


def _failure_counts(con, relation: str, rules: list[SqlRule]) -> list[int]:
    if not rules:
        return []
    counts = ", ".join(f"count_if(NOT {rule.holds})" for rule in rules)
    return list(con.execute(f"SELECT {counts} FROM {relation}").fetchall()[0])  # noqa: S608


def _examples(con, relation, rule: SqlRule, shown_as, row_number, failures) -> list[Problem]:
    row = row_number or "NULL"
    query = (f"SELECT {row}, {rule.value} FROM {relation} WHERE NOT {rule.holds} "  # noqa: S608
             f"ORDER BY 1 NULLS LAST LIMIT {EXAMPLES_PER_RULE}")  # fmt: skip
    rows = con.execute(query).fetchall()
    problems = [Problem(shown_as, number, rule.column, rule.name, value) for number, value in rows]
    if failures > len(rows):
        problems.append(Problem(shown_as, None, rule.column, rule.name,
                                f"... {failures} rows in all"))  # fmt: skip
    return problems


def key_problems(
    con, spec: TableSpec, relation: str, shown_as: str, row_number: str | None = None
) -> list[Problem]:
    """Rows whose key is not unique: each row named when rows have numbers, else each key."""
    if not spec.primary_key:
        return []
    keys = ", ".join(quote_ident(k) for k in spec.primary_key)
    rule = f"key ({', '.join(spec.primary_key)}) is unique"
    # A hash aggregate finds the clashing keys (cheap); only then are their rows looked up.
    query = (f"SELECT concat_ws(', ', {keys}), count(*) FROM {relation} "  # noqa: S608
             f"GROUP BY {keys} HAVING count(*) > 1 LIMIT {EXAMPLES_PER_RULE}")  # fmt: skip
    duplicates = con.execute(query).fetchall()
    if duplicates and row_number:
        query = (f"SELECT {row_number}, concat_ws(', ', {keys}), "  # noqa: S608
                 f"count(*) OVER (PARTITION BY {keys}) AS n FROM {relation} "
                 f"QUALIFY n > 1 ORDER BY 1 LIMIT {EXAMPLES_PER_RULE}")  # fmt: skip
        return [Problem(shown_as, row, ", ".join(spec.primary_key), rule, f"{key} ({n} rows)")
                for row, key, n in con.execute(query).fetchall()]  # fmt: skip
    return [
        Problem(shown_as, None, ", ".join(spec.primary_key), rule, f"{key} ({n} rows)")
        for key, n in duplicates
    ]
