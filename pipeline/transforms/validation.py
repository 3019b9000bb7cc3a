"""Validate a relation inside DuckDB against its table's pandera schema (TableSpec.pandera_schema):
the same schema for a 20-row transcription, a mart and a 12.5M-row source. Every check of the
schema is an expression DuckDB runs (pandera's built-in checks in their narwhals form, and the
project's own expressions, schemas/rules.py): one scan counts the failures of every check, and
only the failing checks are scanned again, for a few example rows, each named by its `line`
column (a file's line, or row where `unit` is "row") or, in a warehouse table, by its key. The
key's uniqueness, which the schema declares, is checked with a GROUP BY on the rows' hashes.
The counting query is made once per spec and relation shape, and kept for this process and the
next (counting_queries.py): a relation whose every count is 0 needs nothing else.

Why not `schema.validate` with pandera's Ibis or Narwhals backend: both run one query per check
and a window over the whole table for the key, several times the cost of one scan at 12.5M rows
and 15 ms a check on a small table (docs/performance.md, "Choices"). This runner is the
smallest one that keeps the scan single: it evaluates the checks' own expressions.

Belongs here: running a schema's checks and reporting their failures. Stays out: the rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import duckdb

from pipeline.schemas.dated import bound_by_access
from pipeline.schemas.rules import checks_api, sql_literal
from pipeline.schemas.spec import FLOAT, TableSpec, quote_ident
from pipeline.transforms import counting_queries
from pipeline.transforms.duck import LARGE_PART_ROWS, order_free
from pipeline.transforms.problems import Problem

if TYPE_CHECKING:  # narwhals and pandera are imported where a relation is validated
    import narwhals.stable.v1 as nw
    from pandera.api.checks import Check

EXAMPLES_PER_RULE = 20  # failing rows listed per rule; the count is always complete
REQUIRED = "required (not empty)"


@dataclass(frozen=True)
class RuleCheck:
    """One check of a schema as DuckDB runs it: the column it is reported on, its name, and a
    boolean expression true where a row obeys it (NULL, where it cannot be decided, obeys)."""

    column: str | None
    name: str
    holds: nw.Expr


def validate_relation(
    con: duckdb.DuckDBPyConnection,
    spec: TableSpec,
    relation: str,
    shown_as: str,
    *,
    line: str | None = None,
    unit: str = "line",
    extra: Sequence[tuple[str, Check]] = (),
) -> list[Problem]:
    """Every check of `spec`'s schema (and `extra`: (column, check) pairs) on `relation`."""
    frame = _frame(con, relation)
    problems = _column_problems(spec, list(frame.columns), shown_as, line)
    if problems:
        return problems
    native = frame.to_native()
    found = None if extra else counting_queries.key(spec, tuple(native.columns), _types(native))
    with order_free(con):  # counts, a grouping, examples with their own ORDER BY
        kept = counting_queries.find(found) if found else None
        if kept:  # every count 0: the schema's checks are not even built
            counts = _counted(con, kept, relation)
            if any(counts):
                checks = schema_checks(spec, extra)
                if [(c.column, c.name) for c in checks] != list(kept.checks):  # not this code's
                    counts = _failure_counts(con, relation, frame, checks, found)
        else:
            checks = schema_checks(spec, extra)
            counts = _failure_counts(con, relation, frame, checks, found)
        for n, failures in enumerate(counts):
            if failures:
                check = checks[n]
                problems += _examples(
                    frame, check, shown_as, _place(spec, line), failures, line, unit
                )
        return problems + key_problems(con, spec, relation, shown_as, line, unit)


def schema_checks(spec: TableSpec, extra: Sequence[tuple[str, Check]] = ()) -> list[RuleCheck]:
    """The checks of the spec's pandera schema, in order: each column's (required, then its
    rules), then the row rules, then `extra`."""
    import narwhals.stable.v1 as nw

    schema = spec.pandera_schema()
    checks = []
    for name, column in schema.columns.items():
        value = nw.col(name)
        if not column.nullable:  # NaN is missing, as pandera counts it
            missing = value.is_null()
            if spec.field(name).dtype == FLOAT:
                missing = missing | value.is_nan()
            checks.append(RuleCheck(name, REQUIRED, ~missing))
        checks += [RuleCheck(name, c.name, column_expression(c, name)) for c in column.checks]
    for check in schema.checks:
        checks.append(RuleCheck(spec.column_of_rule(check.name), check.name, check._check_fn(None)))
    checks += [RuleCheck(name, c.name, column_expression(c, name)) for name, c in extra]
    return checks


def column_expression(check: Check, column: str) -> nw.Expr:
    """A column check's expression: its function (pandera's built-in dispatches on the narwhals
    column it is given) applied to the column, as pandera's narwhals backend applies it."""
    import narwhals.stable.v1 as nw

    checks_api()  # the narwhals forms of the built-in checks are registered
    return check._check_fn(nw.col(column), **check._check_kwargs)


def accessed_problems(
    con, spec: TableSpec, relation: str, shown_as: str, accessed
) -> list[Problem]:
    """The rows of a loaded table dated after `accessed` (its origin record's date_accessed; a
    download's rows were checked against today when parsed): the spec bound by that date
    (schemas/dated.py), rows named by their key. None without a date."""
    bound = bound_by_access(spec, accessed)
    return [] if bound is spec else validate_relation(con, bound, relation, shown_as)


def _frame(con: duckdb.DuckDBPyConnection, relation: str):
    import narwhals.stable.v2 as nw2

    return nw2.from_native(con.sql(f"FROM {relation}"))  # noqa: S608 (a quoted name)


def _column_problems(spec: TableSpec, present: list[str], shown_as: str, line) -> list[Problem]:
    """The relation has the schema's columns (and its `line`), no more."""
    missing = [c for c in spec.column_names if c not in present]
    extra = [c for c in present if c not in spec.column_names and c != line]
    return [
        Problem(shown_as, None, c, "every column of the spec is present", c) for c in missing
    ] + [Problem(shown_as, None, c, "no columns beyond the spec", c) for c in extra]


def _place(spec: TableSpec, line: str | None) -> nw.Expr:
    """What names a failing row: its line, or its key's values joined by '/'."""
    import narwhals.stable.v1 as nw

    if line:
        return nw.col(line)
    if not spec.primary_key:
        return nw.lit(None, nw.String)
    keys = [nw.col(k).cast(nw.String) for k in spec.primary_key]
    return nw.concat_str(keys, separator="/", ignore_nulls=True)


def _failing(check: RuleCheck) -> nw.Expr:
    return ~check.holds.fill_null(True)


def _failure_counts(con, relation: str, frame, checks: list[RuleCheck], found) -> list[int]:
    """How many rows fail each check, in one scan; the query is kept under `found` (None: not
    kept) for the next relation of the same spec, columns and types (counting_queries.py)."""
    import narwhals.stable.v1 as nw

    if not checks:
        return []
    counts = [_failing(c).cast(nw.Int64).sum().alias(f"c{i}") for i, c in enumerate(checks)]
    query = frame.select(*counts)
    text = query.to_native().sql_query()
    if found is not None and text.count(f"FROM {relation}\n") == 1:  # the relation, as given
        before, after = text.split(f"FROM {relation}\n")
        labels = tuple((c.column, c.name) for c in checks)
        counting_queries.keep(found, counting_queries.Kept(before, after, labels))
    return list(query.collect(backend="pyarrow").rows()[0])


def _counted(con, kept: counting_queries.Kept, relation: str) -> list[int]:
    query = f"{kept.before}FROM {relation}\n{kept.after}"
    return list(con.execute(query).fetchall()[0]) if kept.checks else []


def _types(native) -> tuple[str, ...]:
    return tuple(str(t) for t in native.types)


def _problem(shown_as, place, column, rule, value, line: str | None, unit: str) -> Problem:
    if line and unit == "line":
        return Problem(shown_as, place, column, rule, value)
    return Problem(shown_as, None, column, rule, value, row=None if place is None else str(place))


def _examples(frame, check: RuleCheck, shown_as, place, failures, line, unit):
    import narwhals.stable.v1 as nw

    value = nw.col(check.column).cast(nw.String) if check.column else nw.lit(None, nw.String)
    rows = (
        frame.filter(_failing(check))
        .select(place.alias("place"), value.alias("value"))
        .sort("place", nulls_last=True)
        .head(EXAMPLES_PER_RULE)
        .collect(backend="pyarrow")
        .rows()
    )
    problems = [
        _problem(shown_as, at, check.column, check.name, shown, line, unit) for at, shown in rows
    ]
    if failures > len(rows):
        problems.append(
            Problem(shown_as, None, check.column, check.name, f"... {failures} rows in all")
        )
    return problems


def key_problems(
    con, spec, relation, shown_as, line: str | None = None, unit="line", large=LARGE_PART_ROWS
):
    """Rows whose key is not unique: each row on its line when rows have lines, else each key
    with its count of rows."""
    if not spec.primary_key:
        return []
    problems = []
    for part in key_parts(con, relation, spec.primary_key, large):
        problems += _key_problems(con, spec, part, shown_as, line, unit)
    return problems[:EXAMPLES_PER_RULE]


def key_parts(con, relation: str, key, large: int = LARGE_PART_ROWS) -> list[str]:
    """The relation cut by the key's first column into parts of at most `large` rows where it
    can be (a value holding more is a part of its own; two rows can only clash when their first
    columns are equal), so that no grouping spans millions of rows: one union of millions of
    rows held more memory than DuckDB's limit at 50 million rows, and 100 sources of 250,000
    rows each at 25 million."""
    if len(key) < 2:
        return [relation]
    lead = quote_ident(key[0])
    counts = con.execute(
        f"SELECT {lead}, count(*) FROM {relation} WHERE {lead} IS NOT NULL GROUP BY 1 ORDER BY 1"  # noqa: S608
    ).fetchall()
    if sum(n for _, n in counts) <= large:
        return [relation]
    bins: list[list] = [[]]
    held = 0
    for value, rows in counts:
        if bins[-1] and held + rows > large:
            bins.append([])
            held = 0
        bins[-1].append(value)
        held += rows
    conditions = [f"{lead} IN ({', '.join(sql_literal(v) for v in values)})" for values in bins]
    conditions[-1] += f" OR {lead} IS NULL"  # no scan of its own for rows without a lead value
    return [f"(SELECT * FROM {relation} WHERE {c})" for c in conditions]  # noqa: S608


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
    rows = con.execute(  # each row of a clash on its line, with its key
        f"SELECT {line}, concat_ws(', ', {keys}) FROM {relation} WHERE {alike} "  # noqa: S608
        f"QUALIFY count(*) OVER (PARTITION BY {keys}) > 1 ORDER BY 1 LIMIT {EXAMPLES_PER_RULE}"
    ).fetchall()
    return [_problem(shown_as, at, column, rule, key, line, unit) for at, key in rows]
