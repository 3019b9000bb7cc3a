"""Value rules, declared once as data and compiled two ways: to a pandera check (pandera
validates the transcribed tables) and to a SQL predicate (DuckDB validates marts and large
sources). A rule is a `kind` and its parameters; each kind has one pandas form and one SQL form,
side by side in `KINDS`, and one parity test checks the two agree on the same values.

Belongs here: the rule kinds, their constructors and both compilers. Stays out: which column
has which rule (schemas/fields.py, the specs) and running the checks (transforms/).
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.schemas import dated

if TYPE_CHECKING:  # pandas is imported where a rule runs on a frame, not to declare rules
    import pandas as pd

# Free text longer than this is almost certainly a broken file (a runaway quote swallowing the
# rest of the file, pasted binary), not a sentence from the paper.
MAX_TEXT_CHARS = 2000
# A cell starting with one of these runs as a formula in spreadsheet programs (CSV injection,
# OWASP's list; tab and CR are already refused as control characters).
FORMULA_PREFIXES = ("=", "+", "-", "@")
CONTROL_CHARS = r"[\x00-\x08\x0b-\x1f\x7f]"


@functools.cache
def whitespace() -> str:
    """What Python's str.strip() removes, so that the SQL form trims exactly the same
    characters (computed once, when a rule first needs it)."""
    return "".join(filter(str.isspace, map(chr, range(sys.maxunicode + 1))))


def sql_literal(value: object) -> str:
    """A SQL literal for a constant from this code base (never for data)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class Rule:
    """A rule on one column's values: a kind, its parameters and the name users read."""

    kind: str
    params: tuple = ()
    name: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown rule kind {self.kind!r}; known: {sorted(KINDS)}")
        if not self.name:
            object.__setattr__(self, "name", KINDS[self.kind].describe(*self.params))

    def holds_pandas(self, values: pd.Series) -> pd.Series:
        """True where the value obeys the rule; a missing value obeys every rule."""
        import numpy as np
        import pandas as pd

        present = values.notna().to_numpy(dtype=bool)
        holds = np.ones(len(values), dtype=bool)
        if present.any():
            kept = values if present.all() else values[present]
            holds[present] = KINDS[self.kind].pandas(kept, *self.params).to_numpy(dtype=bool)
        return pd.Series(holds, index=values.index)

    def holds_sql(self, column_sql: str) -> str:
        """A SQL boolean, true where the value obeys the rule (NULL obeys every rule)."""
        return f"({column_sql} IS NULL OR ({KINDS[self.kind].sql(column_sql, *self.params)}))"


@dataclass(frozen=True)
class Kind:
    describe: Callable[..., str]
    pandas: Callable[..., pd.Series]  # applied to the non-missing values only
    sql: Callable[..., str]  # a boolean over a non-NULL column expression


def _text(values: pd.Series) -> pd.Series:
    return values.astype(str)


def _items(value) -> list:
    """Items of a list cell: a ';'-separated string (raw files) or a list (marts)."""
    if isinstance(value, str):
        return value.split(";")
    return list(value)


def _items_sql(column: str, regex: str) -> str:
    items = (
        f"(CASE WHEN typeof({column}) = 'VARCHAR' THEN string_split(CAST({column} AS VARCHAR), ';')"
        f" ELSE CAST({column} AS VARCHAR[]) END)"
    )
    test = f"coalesce(regexp_full_match(item, {sql_literal(regex)}), FALSE)"
    return f"coalesce(list_bool_and(list_transform({items}, lambda item: {test})), TRUE)"


KINDS: dict[str, Kind] = {
    "one_of": Kind(
        describe=lambda values: f"one of {sorted(values)}",
        pandas=lambda s, values: s.isin(values),
        sql=lambda c, values: f"{c} IN ({', '.join(sql_literal(v) for v in sorted(values))})",
    ),
    "between": Kind(
        describe=lambda low, high: f"between {low} and {high}",
        pandas=lambda s, low, high: s.between(low, high),
        sql=lambda c, low, high: f"{c} BETWEEN {sql_literal(low)} AND {sql_literal(high)}",
    ),
    "at_least": Kind(
        describe=lambda low: f"at least {low}",
        pandas=lambda s, low: s >= low,
        sql=lambda c, low: f"{c} >= {sql_literal(low)}",
    ),
    "pattern": Kind(
        describe=lambda regex, meaning: f"{meaning} (matches {regex})",
        pandas=lambda s, regex, meaning: _text(s).str.fullmatch(regex).fillna(False),
        sql=lambda c, regex, meaning: (
            f"regexp_full_match(CAST({c} AS VARCHAR), {sql_literal(regex)})"
        ),
    ),
    "max_length": Kind(
        describe=lambda n: f"at most {n} characters",
        pandas=lambda s, n: _text(s).str.len() <= n,
        sql=lambda c, n: f"length(CAST({c} AS VARCHAR)) <= {n}",
    ),
    "no_control_chars": Kind(
        describe=lambda: "no control characters",
        pandas=lambda s: ~_text(s).str.contains(CONTROL_CHARS, regex=True),
        sql=lambda c: f"NOT regexp_matches(CAST({c} AS VARCHAR), {sql_literal(CONTROL_CHARS)})",
    ),
    "no_formula_prefix": Kind(
        describe=lambda: "does not start with = + - @ (spreadsheet formula)",
        pandas=lambda s: ~_text(s).str.startswith(FORMULA_PREFIXES),
        sql=lambda c: (
            "NOT ("
            + " OR ".join(
                f"starts_with(CAST({c} AS VARCHAR), {sql_literal(p)})" for p in FORMULA_PREFIXES
            )
            + ")"
        ),
    ),
    "trimmed": Kind(
        describe=lambda: "no leading or trailing whitespace",
        pandas=lambda s: _text(s) == _text(s).str.strip(),
        sql=lambda c: (
            f"CAST({c} AS VARCHAR) = trim(CAST({c} AS VARCHAR), {sql_literal(whitespace())})"
        ),
    ),
    # a date (or year) not in the future, nor after its source was accessed (schemas/dated.py)
    "not_in_future": Kind(dated.describe, dated.holds_pandas, dated.holds_sql),
    "items_match": Kind(
        describe=lambda regex, meaning: f"a list of {meaning}",
        pandas=lambda s, regex, meaning: s.map(
            lambda v: all(isinstance(i, str) and re.fullmatch(regex, i) for i in _items(v))
        ),
        sql=lambda c, regex, meaning: _items_sql(c, regex),
    ),
}


# --- constructors: what specs call -----------------------------------------------------------


def one_of(values) -> Rule:
    """The values allowed, in the order the spec declares them: a vocabulary's display order
    (TableSpec.allowed_values); checks and messages list them sorted."""
    return Rule("one_of", (tuple(values),))


def between(low: float, high: float, name: str = "") -> Rule:
    return Rule("between", (low, high), name)


def at_least(low: float) -> Rule:
    return Rule("at_least", (low,))


def positive() -> Rule:
    return at_least(1)


def year_between(first: int, last: int) -> Rule:
    return between(first, last, f"a year {first}-{last}")


def pattern(regex: str, meaning: str) -> Rule:
    return Rule("pattern", (regex, meaning))


def items_match(regex: str, meaning: str) -> Rule:
    return Rule("items_match", (regex, meaning))


def not_in_future(unit: str = dated.DATE) -> Rule:
    """A date (unit "year": a year) not in the future; read from a file, not after the date its
    origin record says the source was accessed either (schemas/dated.py)."""
    return Rule(dated.KIND, (unit,))


def text(max_chars: int = MAX_TEXT_CHARS) -> tuple[Rule, ...]:
    """Free text: bounded length, no control characters, no spreadsheet formula, trimmed."""
    return (
        Rule("max_length", (max_chars,)),
        Rule("no_control_chars"),
        Rule("no_formula_prefix"),
        Rule("trimmed"),
    )


# --- rules across the columns of one row -----------------------------------------------------


@dataclass(frozen=True)
class RowRule:
    """A rule across columns of one row, reported on `column`. Generic kinds are compiled from
    their parameters; a `custom` rule names a hand-written pair in `CUSTOM_ROW_RULES`."""

    kind: str
    columns: tuple[str, ...]
    column: str
    name: str

    def holds_pandas(self, frame: pd.DataFrame) -> pd.Series:
        return ROW_KINDS[self.kind][0](frame, *self.columns).fillna(True).astype(bool)

    def holds_sql(self) -> str:
        return f"coalesce(({ROW_KINDS[self.kind][1](*self.columns)}), TRUE)"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _any_notna(frame: pd.DataFrame, columns) -> pd.Series:
    import pandas as pd

    return pd.concat([frame[c].notna() for c in columns], axis=1).any(axis=1)


ROW_KINDS: dict[str, tuple[Callable[..., pd.Series], Callable[..., str]]] = {
    # low <= high where both are present
    "ordered": (
        lambda df, low, high: df[low].isna() | df[high].isna() | (df[low] <= df[high]),
        lambda low, high: f"{_q(low)} IS NULL OR {_q(high)} IS NULL OR {_q(low)} <= {_q(high)}",
    ),
    # at least one of the columns is present
    "any_present": (
        lambda df, *cols: _any_notna(df, cols),
        lambda *cols: " OR ".join(f"{_q(c)} IS NOT NULL" for c in cols),
    ),
    # exactly one of the two columns is present
    "exactly_one_present": (
        lambda df, a, b: df[a].notna() ^ df[b].notna(),
        lambda a, b: f"({_q(a)} IS NOT NULL) <> ({_q(b)} IS NOT NULL)",
    ),
    # a boolean flag says whether another column is present
    "flag_present": (
        lambda df, flag, column: df[flag] == df[column].notna(),
        lambda flag, column: f"{_q(flag)} = ({_q(column)} IS NOT NULL)",
    ),
}


def ordered(low: str, high: str, column: str | None = None) -> RowRule:
    return RowRule("ordered", (low, high), column or low, f"{low} <= {high}")


def any_present(*columns: str, column: str, name: str) -> RowRule:
    return RowRule("any_present", columns, column, name)


def exactly_one_present(a: str, b: str, name: str) -> RowRule:
    return RowRule("exactly_one_present", (a, b), a, name)


def flag_present(flag: str, column: str) -> RowRule:
    return RowRule("flag_present", (flag, column), flag, f"{flag} matches {column}")


def custom(key: str, column: str, name: str, *columns: str) -> RowRule:
    """A rule no generic kind expresses: its pandas and SQL forms are written by hand in
    schemas/custom_rules.py, each pair with its own parity test."""
    from pipeline.schemas.custom_rules import CUSTOM_ROW_RULES

    if key not in CUSTOM_ROW_RULES:
        raise ValueError(f"unknown custom rule {key!r}")
    return RowRule(f"custom:{key}", columns, column, name)


def _register_custom() -> None:
    from pipeline.schemas.custom_rules import CUSTOM_ROW_RULES

    for key, (pandas_form, sql_form) in CUSTOM_ROW_RULES.items():
        ROW_KINDS[f"custom:{key}"] = (
            lambda df, *cols, _f=pandas_form: _f(df),
            lambda *cols, _s=sql_form: _s,
        )


_register_custom()
