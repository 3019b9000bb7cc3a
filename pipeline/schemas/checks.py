"""Reusable pandera checks, named so that a failure message reads as the rule that was broken.

Belongs here: value rules shared by several tables. Stays out: table definitions.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pandera.pandas as pa

# Free text longer than this is almost certainly a broken file (a runaway quote swallowing
# the rest of the file, or pasted binary), not a sentence from the paper.
MAX_TEXT_CHARS = 2000
# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection).
FORMULA_PREFIXES = ("=", "+", "@")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
DECIMAL_EUR = re.compile(r"^[0-9]{1,16}(\.[0-9]{1,2})?$")


def _strings(series: pd.Series) -> pd.Series:
    return series.dropna().astype(str)


def text(max_chars: int = MAX_TEXT_CHARS) -> tuple[pa.Check, ...]:
    """Free text: bounded length, no control characters, no spreadsheet formula."""
    return (
        pa.Check(
            lambda s: s.isna() | (s.astype(str).str.len() <= max_chars),
            name=f"at most {max_chars} characters",
        ),
        pa.Check(
            lambda s: s.isna() | ~s.astype(str).str.contains(_CONTROL_CHARS),
            name="no control characters",
        ),
        pa.Check(
            lambda s: s.isna() | ~s.astype(str).str.startswith(FORMULA_PREFIXES),
            name="does not start with = + @ (spreadsheet formula)",
        ),
        pa.Check(
            lambda s: s.isna() | (s.astype(str) == s.astype(str).str.strip()),
            name="no leading or trailing whitespace",
        ),
    )


def pattern(regex: str, meaning: str) -> pa.Check:
    compiled = re.compile(regex)
    return pa.Check(
        lambda s: s.isna() | s.astype(str).str.fullmatch(compiled).fillna(False).astype(bool),
        name=f"{meaning} (matches {regex})",
    )


def one_of(values: list[str] | tuple[str, ...]) -> pa.Check:
    allowed = sorted(values)
    return pa.Check(lambda s: s.isna() | s.isin(allowed), name=f"one of {allowed}")


def positive_int() -> pa.Check:
    return pa.Check(lambda s: s.isna() | (s >= 1), name="at least 1")


def year_between(first: int, last: int) -> pa.Check:
    return pa.Check(lambda s: s.isna() | s.between(first, last), name=f"a year {first}-{last}")


def iso_date(latest: dt.date | None = None) -> tuple[pa.Check, ...]:
    """A real calendar date written YYYY-MM-DD, not after `latest` (default: today)."""

    def is_real_date(s: pd.Series) -> pd.Series:
        return s.isna() | s.astype(str).map(_parses_as_date)

    def not_in_future(s: pd.Series) -> pd.Series:
        today = (latest or dt.date.today()).isoformat()
        return s.isna() | ~s.astype(str).map(_parses_as_date) | (s.astype(str) <= today)

    return (
        pa.Check(is_real_date, name="a real calendar date YYYY-MM-DD"),
        pa.Check(not_in_future, name="not in the future"),
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
    return pa.Check(
        lambda s: s.isna() | s.astype(str).str.fullmatch(DECIMAL_EUR).fillna(False).astype(bool),
        name="a non-negative amount with at most 2 decimals, no thousands separators",
    )


def semicolon_list(item_regex: str, meaning: str) -> pa.Check:
    compiled = re.compile(item_regex)

    def holds(s: pd.Series) -> pd.Series:
        return s.isna() | s.astype(str).map(
            lambda v: all(compiled.fullmatch(item) for item in v.split(";"))
        )

    return pa.Check(holds, name=f"a ';'-separated list of {meaning}")


def split_list(value) -> list[str]:
    """Items of a ';'-separated cell; an empty cell is an empty list."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return []
    return [item for item in str(value).split(";")]
