"""Value rules, declared once as data and run as pandera checks. A rule is a `kind` and its
parameters; each kind has one form, a pandera `Check`: pandera's built-in check where one exists
(`isin`, `in_range`, `ge`, `le`, `str_matches`, `str_length`), else a narwhals expression. Both
are expressions over a column that DuckDB runs (pipeline/transforms/validation.py), on a
20-row transcription and on a 12.5M-row source alike.

Belongs here: the rule kinds on one column's values (with `not_in_future`'s form: what it means,
and its binding to an origin record, are in schemas/dated.py), their constructors and their one
form. Stays out: rules across a row's columns (row_rules.py), which column has which rule
(schemas/fields.py, the specs) and running the checks (transforms/validation.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandera and narwhals are imported where a check is made, not to declare rules
    import narwhals.stable.v1 as nw
    from pandera.api.checks import Check

# Free text longer than this is almost certainly a broken file (a runaway quote swallowing the
# rest of the file, pasted binary), not a sentence from the paper.
MAX_TEXT_CHARS = 2000
# A cell starting with one of these runs as a formula in spreadsheet programs (CSV injection,
# OWASP's list; tab and CR are already refused as control characters).
FORMULA_PREFIXES = ("=", "+", "-", "@")
CONTROL_CHARS = r"[\x00-\x08\x0b-\x1f\x7f]"


@functools.cache
def whitespace() -> str:
    """What Python's str.strip() removes: `trimmed` trims exactly these characters (computed
    once, when a rule first needs it)."""
    return "".join(filter(str.isspace, map(chr, range(sys.maxunicode + 1))))


def sql_literal(value: object) -> str:
    """A SQL literal for a constant from this code base (never for data)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@functools.cache
def checks_api():
    """pandera's `Check`, with the narwhals forms of its built-in checks registered (a built-in
    check dispatches on what it is given: a narwhals expression here)."""
    import pandera.backends.narwhals.builtin_checks  # noqa: F401 (registers the narwhals forms)
    from pandera.api.checks import Check

    return Check


@dataclass(frozen=True)
class Rule:
    """A rule on one column's values: a kind, its parameters and the name users read. A missing
    value obeys every rule (whether a column may be empty is its field's `nullable`)."""

    kind: str
    params: tuple = ()
    name: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown rule kind {self.kind!r}; known: {sorted(KINDS)}")
        if not self.name:
            object.__setattr__(self, "name", KINDS[self.kind].describe(*self.params))

    def check(self) -> Check:
        """The rule as a pandera check, named as users read it."""
        return KINDS[self.kind].check(checks_api(), self.name, *self.params)


@dataclass(frozen=True)
class Kind:
    describe: Callable[..., str]
    check: Callable[..., Check]  # (Check, name, *params): a built-in, or one over an expression


def _full_match(regex: str) -> str:
    """`regex` over the whole value (DuckDB's regular expressions: `$` is the end of the text)."""
    return f"^(?:{regex})$"


def _no_formula_prefix(column: nw.Expr) -> nw.Expr:
    return ~functools.reduce(operator.or_, (column.str.starts_with(p) for p in FORMULA_PREFIXES))


def _items_match(regex: str) -> Callable[[nw.Expr], nw.Expr]:
    """Every item of a list matches `regex`: the list as DuckDB writes it as text, `[a, b]`,
    where an item holding a comma, a space, a bracket or a quote is quoted (so no such item
    can pass) and an empty item is written NULL."""
    import narwhals.stable.v1 as nw

    listed = rf"^\[((?:{regex})(, (?:{regex}))*)?\]$"
    return lambda column: column.cast(nw.String).str.contains(listed)


# --- not_in_future: a date, or a year, bounded by today and by when its source was accessed ---

NOT_IN_FUTURE = "not_in_future"
DATE, YEAR = "date", "year"


def _dated_describe(unit: str = DATE, accessed: str | None = None) -> str:
    bound = f"not after the source's date_accessed {accessed}" if accessed else "not in the future"
    return f"a year {bound}" if unit == YEAR else bound


def _dated_limit(unit: str, accessed: str | None) -> dt.date | int:
    today = dt.date.today()
    limit = min(dt.date.fromisoformat(accessed), today) if accessed else today
    return limit.year if unit == YEAR else limit


def _dated_check(checks, name: str, unit: str = DATE, accessed: str | None = None):
    """pandera's built-in `le`: no later than today, or than the source's date_accessed."""
    return checks.le(_dated_limit(unit, accessed), name=name)


KINDS: dict[str, Kind] = {
    "one_of": Kind(
        describe=lambda values: f"one of {sorted(values)}",
        check=lambda C, name, values: C.isin(list(values), name=name),
    ),
    "between": Kind(
        describe=lambda low, high: f"between {low} and {high}",
        check=lambda C, name, low, high: C.in_range(low, high, name=name),
    ),
    "at_least": Kind(
        describe=lambda low: f"at least {low}",
        check=lambda C, name, low: C.ge(low, name=name),
    ),
    "pattern": Kind(
        describe=lambda regex, meaning: f"{meaning} (matches {regex})",
        check=lambda C, name, regex, meaning: C.str_matches(_full_match(regex), name=name),
    ),
    "max_length": Kind(
        describe=lambda n: f"at most {n} characters",
        check=lambda C, name, n: C.str_length(max_value=n, name=name),
    ),
    "no_control_chars": Kind(
        describe=lambda: "no control characters",
        check=lambda C, name: C(lambda c: ~c.str.contains(CONTROL_CHARS), name=name),
    ),
    "no_formula_prefix": Kind(
        describe=lambda: "does not start with = + - @ (spreadsheet formula)",
        check=lambda C, name: C(_no_formula_prefix, name=name),
    ),
    "trimmed": Kind(
        describe=lambda: "no leading or trailing whitespace",
        check=lambda C, name: C(lambda c: c == c.str.strip_chars(whitespace()), name=name),
    ),
    # a date (or year) not in the future, nor after its source was accessed (schemas/dated.py)
    NOT_IN_FUTURE: Kind(_dated_describe, _dated_check),
    "items_match": Kind(
        describe=lambda regex, meaning: f"a list of {meaning}",
        check=lambda C, name, regex, meaning: C(_items_match(regex), name=name),
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


def not_in_future(unit: str = DATE) -> Rule:
    """A date (unit "year": a year) not in the future; read from a file, not after the date its
    origin record says the source was accessed either (schemas/dated.py)."""
    return Rule(NOT_IN_FUTURE, (unit,))


def text(max_chars: int = MAX_TEXT_CHARS) -> tuple[Rule, ...]:
    """Free text: bounded length, no control characters, no spreadsheet formula, trimmed."""
    return (
        Rule("max_length", (max_chars,)),
        Rule("no_control_chars"),
        Rule("no_formula_prefix"),
        Rule("trimmed"),
    )
