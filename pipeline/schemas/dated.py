"""Dates and years bounded by when their source was accessed: what the rule kind `not_in_future`
means (schemas/rules.py declares it, with its description and its pandera check) and its binding
to a file's origin record.

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

Belongs here: the binding, `bound_by_access`. Stays out: the rule's form (rules.py), which
columns carry it (the specs) and reading records (transforms/sources/origins.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools

from pipeline.schemas.rules import DATE, NOT_IN_FUTURE, Rule
from pipeline.schemas.spec import TableSpec


@functools.cache
def bound_by_access(spec: TableSpec, accessed: dt.date | None) -> TableSpec:
    """`spec` with every `not_in_future` rule bound to `accessed` (an origin record's
    date_accessed); `spec` itself when there is no date or no such rule."""
    if accessed is None:
        return spec

    def bound(rule: Rule) -> Rule:
        if rule.kind != NOT_IN_FUTURE:
            return rule
        return Rule(NOT_IN_FUTURE, ((rule.params or (DATE,))[0], accessed.isoformat()))

    fields = tuple(f.but(rules=tuple(map(bound, f.rules))) for f in spec.fields)
    return spec if fields == spec.fields else dataclasses.replace(spec, fields=fields)
