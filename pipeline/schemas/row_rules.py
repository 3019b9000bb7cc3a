"""Rules across the columns of one row, declared once as data and run as pandera checks on the
whole table, like the value rules (schemas/rules.py): each is a narwhals expression, true where
the row obeys it (a row where it cannot be decided, NULL, obeys it), which DuckDB runs
(pipeline/transforms/validation.py). Generic kinds (`ordered`, `any_present`,
`exactly_one_present`, `flag_present`) are built from their columns; a `custom` rule names one
written in schemas/custom_rules.py.

Belongs here: the row rule type, its kinds and their constructors. Stays out: rules on one
column's values (rules.py), which table has which row rule (the specs).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.schemas.custom_rules import CUSTOM_ROW_RULES
from pipeline.schemas.rules import checks_api

if TYPE_CHECKING:  # pandera and narwhals are imported where a check is made, not to declare rules
    import narwhals.stable.v1 as nw
    from pandera.api.checks import Check


@dataclass(frozen=True)
class RowRule:
    """A rule across columns of one row, reported on `column`: a narwhals expression, true where
    the row obeys it (a row where it cannot be decided, NULL, obeys it). Generic kinds are
    built from their parameters; a `custom` rule names one in schemas/custom_rules.py."""

    kind: str
    columns: tuple[str, ...]
    column: str
    name: str

    def holds(self) -> nw.Expr:
        return ROW_KINDS[self.kind](*self.columns)

    def check(self) -> Check:
        """The rule as a pandera check on the whole table (it reads the columns it names)."""
        return checks_api()(lambda _table: self.holds(), name=self.name)


def _col(name: str) -> nw.Expr:
    import narwhals.stable.v1 as nw

    return nw.col(name)


def _present(name: str) -> nw.Expr:
    return ~_col(name).is_null()


ROW_KINDS: dict[str, Callable[..., nw.Expr]] = {
    # low <= high where both are present
    "ordered": lambda low, high: (
        _col(low).is_null() | _col(high).is_null() | (_col(low) <= _col(high))
    ),
    # at least one of the columns is present
    "any_present": lambda *cols: functools.reduce(operator.or_, map(_present, cols)),
    # exactly one of the two columns is present
    "exactly_one_present": lambda a, b: _present(a) != _present(b),
    # a boolean flag says whether another column is present
    "flag_present": lambda flag, column: _col(flag) == _present(column),
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
    """A rule no generic kind expresses: its expression is written in schemas/custom_rules.py."""
    if key not in CUSTOM_ROW_RULES:
        raise ValueError(f"unknown custom rule {key!r}")
    return RowRule(f"custom:{key}", columns, column, name)


def _register_custom() -> None:
    for key, expression in CUSTOM_ROW_RULES.items():
        ROW_KINDS[f"custom:{key}"] = lambda *cols, _e=expression: _e()


_register_custom()
