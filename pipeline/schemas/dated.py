"""Dates and years bounded by when their source was accessed: the rule kind `not_in_future`
(schemas/rules.py declares it, with this form) and its binding to a file's origin record.

A date column (any DATE field of a raw table) and the year of an indicator value (`year`,
`edition_year`) carry the rule `not_in_future` where they are declared; it runs as pandera's
built-in check `le` against the day (or year) the check is made. As declared it means
what it says: no later than today (a date), no later than this year (a year). Read from a file,
the rule is bound to the file's origin record: no later than the record's `date_accessed` either
(a source cannot hold an observation of a day after it was read), and never later than today,
even when the record's date is. Years are compared by calendar year (an observation of 2026 in a
source accessed on 2026-03-01 holds).

The bound is `date_accessed` and today because the origin record declares no temporal coverage
(schemas/origin.py has no `years`, `temporal_coverage` or like field: what a source covers is
said in its title and notes, as text). A record without `date_accessed` (it says why in
`date_accessed_note`) bounds its dates by today alone.

Belongs here: the rule's form and the binding. Stays out: which columns carry it (the
specs) and reading records (transforms/sources/origins.py). Imports nothing of the package at
load time: rules.py imports this module.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.schemas.spec import TableSpec

KIND = "not_in_future"
DATE, YEAR = "date", "year"


def describe(unit: str = DATE, accessed: str | None = None) -> str:
    bound = f"not after the source's date_accessed {accessed}" if accessed else "not in the future"
    return f"a year {bound}" if unit == YEAR else bound


def _limit(unit: str, accessed: str | None) -> dt.date | int:
    today = dt.date.today()
    limit = min(dt.date.fromisoformat(accessed), today) if accessed else today
    return limit.year if unit == YEAR else limit


def check(checks, name: str, unit: str = DATE, accessed: str | None = None):
    """pandera's built-in `le`: no later than today, or than the source's date_accessed."""
    return checks.le(_limit(unit, accessed), name=name)


@functools.cache
def bound_by_access(spec: TableSpec, accessed: dt.date | None) -> TableSpec:
    """`spec` with every `not_in_future` rule bound to `accessed` (an origin record's
    date_accessed); `spec` itself when there is no date or no such rule."""
    if accessed is None:
        return spec
    from pipeline.schemas.rules import Rule

    def bound(rule: Rule) -> Rule:
        if rule.kind != KIND:
            return rule
        return Rule(KIND, ((rule.params or (DATE,))[0], accessed.isoformat()))

    fields = tuple(f.but(rules=tuple(map(bound, f.rules))) for f in spec.fields)
    return spec if fields == spec.fields else dataclasses.replace(spec, fields=fields)
