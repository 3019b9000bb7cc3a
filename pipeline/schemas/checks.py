"""Reusable value rules, each written once and runnable two ways: as a pandera check (on a
pandas frame: the small raw files) and as a SQL predicate (inside DuckDB: the marts and large
indicator sources). The SQL travels in the check's `statistics["sql"]`, a template in which
`{col}` stands for the quoted column; `schemas/sql_checks.py` runs them. Tests assert that
both forms give the same verdict on the same data.

Belongs here: value rules shared by several tables. Stays out: table definitions.
"""

from __future__ import annotations

import datetime as dt
import re
import sys

import pandas as pd
import pandera.pandas as pa

# Free text longer than this is almost certainly a broken file (a runaway quote swallowing
# the rest of the file, or pasted binary), not a sentence from the paper.
MAX_TEXT_CHARS = 2000
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection,
# OWASP's list; tab and CR are already refused as control characters).
FORMULA_PREFIXES = ("=", "+", "-", "@")
_CONTROL = r"[\x00-\x08\x0b-\x1f\x7f]"
_CONTROL_CHARS = re.compile(_CONTROL)
# What Python's str.strip() removes, so that the SQL form trims exactly the same characters.
_WHITESPACE = "".join(chr(i) for i in range(sys.maxunicode + 1) if chr(i).isspace())
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
DECIMAL_EUR = re.compile(r"^[0-9]{1,16}(\.[0-9]{1,2})?$")


def sql_literal(value: object) -> str:
    """A SQL literal for a constant from this code base (never for data)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _check(holds, name: str, sql: str) -> pa.Check:
    return pa.Check(holds, name=name, statistics={"sql": sql})


def text(max_chars: int = MAX_TEXT_CHARS) -> tuple[pa.Check, ...]:
    """Free text: bounded length, no control characters, no spreadsheet formula."""
    prefixes = " OR ".join(f"starts_with({{col}}, {sql_literal(p)})" for p in FORMULA_PREFIXES)
    return (
        _check(
            lambda s: s.isna() | (s.astype(str).str.len() <= max_chars),
            f"at most {max_chars} characters",
            f"length({{col}}) <= {max_chars}",
        ),
        _check(
            lambda s: s.isna() | ~s.astype(str).str.contains(_CONTROL_CHARS),
            "no control characters",
            f"NOT regexp_matches({{col}}, {sql_literal(_CONTROL)})",
        ),
        _check(
            lambda s: s.isna() | ~s.astype(str).str.startswith(FORMULA_PREFIXES),
            "does not start with = + - @ (spreadsheet formula)",
            f"NOT ({prefixes})",
        ),
        _check(
            lambda s: s.isna() | (s.astype(str) == s.astype(str).str.strip()),
            "no leading or trailing whitespace",
            f"{{col}} = trim({{col}}, {sql_literal(_WHITESPACE)})",
        ),
    )


def pattern(regex: str, meaning: str) -> pa.Check:
    compiled = re.compile(regex)
    return _check(
        lambda s: s.isna() | s.astype(str).str.fullmatch(compiled).fillna(False).astype(bool),
        f"{meaning} (matches {regex})",
        f"regexp_full_match({{col}}, {sql_literal(regex)})",
    )


def one_of(values: list[str] | tuple[str, ...]) -> pa.Check:
    allowed = sorted(values)
    listed = ", ".join(sql_literal(v) for v in allowed)
    return _check(
        lambda s: s.isna() | s.isin(allowed), f"one of {allowed}", f"{{col}} IN ({listed})"
    )


def between(low: float, high: float, name: str) -> pa.Check:
    return _check(
        lambda s: s.isna() | s.between(low, high),
        name,
        f"{{col}} BETWEEN {sql_literal(low)} AND {sql_literal(high)}",
    )


def at_least(low: float, name: str) -> pa.Check:
    return _check(lambda s: s.isna() | (s >= low), name, f"{{col}} >= {sql_literal(low)}")


def positive_int() -> pa.Check:
    return at_least(1, "at least 1")


def year_between(first: int, last: int) -> pa.Check:
    return between(first, last, f"a year {first}-{last}")


def iso_date(latest: dt.date | None = None) -> tuple[pa.Check, ...]:
    """A real calendar date written YYYY-MM-DD, not after `latest` (default: today)."""

    def is_real_date(s: pd.Series) -> pd.Series:
        return s.isna() | s.astype(str).map(_parses_as_date)

    def not_in_future(s: pd.Series) -> pd.Series:
        today = (latest or dt.date.today()).isoformat()
        return s.isna() | ~s.astype(str).map(_parses_as_date) | (s.astype(str) <= today)

    text = "CAST({col} AS VARCHAR)"
    real = (f"(regexp_full_match({text}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
            f"AND NOT starts_with({text}, '0000') "
            f"AND try_strptime({text}, '%Y-%m-%d') IS NOT NULL)")  # fmt: skip
    today = sql_literal((latest or dt.date.today()).isoformat()) if latest else "current_date"
    return (
        _check(is_real_date, "a real calendar date YYYY-MM-DD", real),
        _check(
            not_in_future,
            "not in the future",
            f"NOT ({real}) OR TRY_CAST({{col}} AS DATE) <= CAST({today} AS DATE)",
        ),
    )


def _parses_as_date(value: str) -> bool:
    if not ISO_DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def decimal_eur() -> pa.Check:
    return _check(
        lambda s: s.isna() | s.astype(str).str.fullmatch(DECIMAL_EUR).fillna(False).astype(bool),
        "a non-negative amount with at most 2 decimals, no thousands separators",
        f"regexp_full_match(CAST({{col}} AS VARCHAR), {sql_literal(DECIMAL_EUR.pattern[1:-1])})",
    )


def semicolon_list(item_regex: str, meaning: str) -> pa.Check:
    compiled = re.compile(item_regex)

    def holds(s: pd.Series) -> pd.Series:
        return s.isna() | s.astype(str).map(
            lambda v: all(compiled.fullmatch(item) for item in v.split(";"))
        )

    items = "string_split({col}, ';')"
    return _check(
        holds,
        f"a ';'-separated list of {meaning}",
        f"list_bool_and(list_transform({items}, "
        f"lambda item: coalesce(regexp_full_match(item, {sql_literal(item_regex)}), FALSE)))",
    )


def split_list(value) -> list[str]:
    """Items of a ';'-separated cell; an empty cell is an empty list."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return []
    return [item for item in str(value).split(";")]


def list_of(item_regex: str, meaning: str) -> pa.Check:
    """A list column (marts) whose every item matches."""
    compiled = re.compile(item_regex)

    def holds(s: pd.Series) -> pd.Series:
        return s.isna() | s.map(
            lambda items: (
                items is None or all(isinstance(i, str) and compiled.fullmatch(i) for i in items)
            )
        )

    return _check(
        holds,
        f"a list of {meaning}",
        f"list_bool_and(list_transform({{col}}, "
        f"lambda item: coalesce(regexp_full_match(item, {sql_literal(item_regex)}), FALSE)))",
    )
