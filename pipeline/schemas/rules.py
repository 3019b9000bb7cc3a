"""Value rules, declared once as data and run as pandera checks. A rule is a `kind` and its
parameters; each kind has one form, a pandera `Check`: pandera's built-in check where one exists
(`isin`, `in_range`, `ge`, `le`, `str_matches`, `str_length`), else a narwhals expression. Both
are expressions over a column that DuckDB runs (pipeline/transforms/validation.py), on a
20-row transcription and on a 12.5M-row source alike. Rules across the columns of one row
(`RowRule`) are narwhals expressions too; the few no generic kind expresses are in
schemas/custom_rules.py.

Belongs here: the rule kinds, their constructors and their one form. Stays out: which column
has which rule (schemas/fields.py, the specs) and running the checks (transforms/validation.py).
"""

from __future__ import annotations

import functools
import operator
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.schemas import dated

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
    "not_in_future": Kind(dated.describe, dated.check),
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
    from pipeline.schemas.custom_rules import CUSTOM_ROW_RULES

    if key not in CUSTOM_ROW_RULES:
        raise ValueError(f"unknown custom rule {key!r}")
    return RowRule(f"custom:{key}", columns, column, name)


def _register_custom() -> None:
    from pipeline.schemas.custom_rules import CUSTOM_ROW_RULES

    for key, expression in CUSTOM_ROW_RULES.items():
        ROW_KINDS[f"custom:{key}"] = lambda *cols, _e=expression: _e()


_register_custom()
