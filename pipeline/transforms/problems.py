"""Validation problems: one broken rule at one place, and how pandera failures become them.

Belongs here: the `Problem` record, its message format and the pandera-to-Problem
conversion. Stays out: the rules themselves (schemas/).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pandera.errors

from pipeline.schemas.spec import TableSpec

MAX_VALUE_CHARS = 80  # long values are cut in messages; the data itself is never cut


@dataclass(frozen=True, order=True)
class Problem:
    """A rule broken at a place: file (or table), data row (1-based, None for the whole file),
    column (None for the whole row), the rule, and the offending value."""

    file: str
    row: int | None
    column: str | None
    rule: str
    value: str | None = None

    def message(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = f"{', '.join(where)}: rule '{self.rule}' failed"
        if self.value is not None:
            text += f" (value: {_short(self.value)})"
        return text

    def as_record(self) -> dict:
        return {
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "rule": self.rule,
            "value": None if self.value is None else _short(self.value),
        }


def _sort_key(p: Problem):
    return (p.file, p.row or 0, p.column or "", p.rule)


def _short(value: object) -> str:
    text = repr(str(value))
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."


def validate_frame(frame: pd.DataFrame, spec: TableSpec, file: str) -> list[Problem]:
    """Run the spec's pandera schema; return every failure as a Problem (empty list: valid)."""
    try:
        spec.pandera_schema().validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as err:
        problems = failure_cases_to_problems(err.failure_cases, spec, file)
        return [_with_cell_value(p, frame, spec) for p in problems]
    return []


def _with_cell_value(problem: Problem, frame: pd.DataFrame, spec: TableSpec) -> Problem:
    """A row rule's failure shows the value of the column it is reported on, not the row."""
    rule_names = {r.name for r in spec.row_rules}
    if problem.rule not in rule_names or problem.row is None or problem.column not in frame:
        return problem
    value = frame.iloc[problem.row - 1][problem.column]
    shown = None if _is_missing(value) else str(value)
    return Problem(problem.file, problem.row, problem.column, problem.rule, shown)


def failure_cases_to_problems(cases: pd.DataFrame, spec: TableSpec, file: str) -> list[Problem]:
    """One Problem per (row, column, rule); a key clash lists the key's values together."""
    grouped: dict[tuple, list[str]] = {}
    for case in cases.itertuples(index=False):
        problem = _case_to_problem(case, spec, file)
        values = grouped.setdefault((problem.file, problem.row, problem.column, problem.rule), [])
        if problem.value is not None and problem.value not in values:
            values.append(problem.value)
    return sorted(
        (
            Problem(*place, ", ".join(values) if values else None)
            for place, values in grouped.items()
        ),
        key=_sort_key,
    )


def _case_to_problem(case, spec: TableSpec, file: str) -> Problem:
    index = None if pd.isna(case.index) else int(case.index) + 1
    check = str(case.check)
    column = None if pd.isna(case.column) else str(case.column)
    if case.schema_context == "DataFrameSchema":
        column = spec.column_of_rule(check) or _table_level_column(check, column, spec)
        check = _table_level_rule(check, spec)
    value = None if _is_missing(case.failure_case) else str(case.failure_case)
    if check.startswith("not_nullable"):
        check, value = "required (not empty)", None
    return Problem(file, index, column, check, value)


def _table_level_column(check: str, column: str | None, spec: TableSpec) -> str | None:
    if check in ("multiple_fields_uniqueness", "duplicates"):
        return ", ".join(spec.primary_key)
    if column == spec.name:
        return None
    return column


def _table_level_rule(check: str, spec: TableSpec) -> str:
    if check == "multiple_fields_uniqueness":
        return f"key ({', '.join(spec.primary_key)}) is unique"
    if check == "column_in_schema":
        return "no columns beyond the spec"
    if check == "column_in_dataframe":
        return "every column of the spec is present"
    return check


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
