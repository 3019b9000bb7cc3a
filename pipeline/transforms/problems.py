"""Validation problems: one broken rule at one place, and how pandera failures become them.

A place is a file (or a warehouse table), a line in it (the physical line, header = line 1;
for Parquet files, the 1-based row), a column and the rule. Every reader, check and refusal in
the project speaks in Problems, so every message has the same shape:

    raw/paper/table1_ranks.csv, line 12, column 'rank': rule 'rank <= n_ranked' failed
      (value: '162')

Belongs here: the `Problem` record, its message, and the pandera-to-Problem conversion. Stays
out: the rules themselves (schemas/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.schemas.spec import TableSpec

if TYPE_CHECKING:  # pandas and pandera are imported where a frame is validated
    import pandas as pd

MAX_VALUE_CHARS = 200  # long values are cut in messages; the data itself is never cut
# Hex digits of a checksum where space is short (a table cell, a console line); the messages
# themselves, and so the run's log, keep every digit.
SHOWN_CHECKSUM = 12
_CHECKSUM = re.compile(rf"\b([0-9a-f]{{{SHOWN_CHECKSUM}}})[0-9a-f]{{20,}}\b")


@dataclass(frozen=True)
class Problem:
    """A rule broken at a place. `line` is the physical line of a text file (header = 1);
    `row` the 1-based row where a file has no lines (Parquet) or a table's key where it is a
    warehouse table. `fix` says what to do, where that is not obvious from the rule. `cause`,
    where the check knows why the rule failed (a header only in another case, a file with
    another delimiter), is said in one line in place of the rule and value, which stay in the
    record."""

    file: str
    line: int | None
    column: str | None
    rule: str
    value: str | None = None
    row: str | None = None
    fix: str | None = None
    cause: str | None = None

    def message(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        elif self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = f"{', '.join(where)}: rule '{self.rule}' failed"
        if self.cause:
            text = f"{', '.join(where)}: {self.cause}"
        elif self.value is not None:
            text += f" (value: {short(self.value)})"
        if self.fix:
            text += f"\n    fix: {self.fix}"
        return text

    def as_record(self) -> dict:
        return {
            "file": self.file,
            "line": self.line if self.line is not None else self.row,
            "column": self.column,
            "rule": self.rule,
            "value": None if self.value is None else short(self.value),
        }

    def sort_key(self):
        return (self.file, self.line or 0, self.row or "", self.column or "", self.rule)


def short_checksums(text: str) -> str:
    """Checksums (32 hex digits or more) cut to their first SHOWN_CHECKSUM digits and '…'."""
    return _CHECKSUM.sub(lambda m: m.group(1) + "…", text)


def short(value: object) -> str:
    text = repr(str(value))
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 3] + "..."


def is_missing(value) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def validate_frame(
    frame: pd.DataFrame, spec: TableSpec, file: str, lines: list[int] | None = None
) -> list[Problem]:
    """Run the spec's pandera schema; every failure as a Problem on its line (`lines[i]` is the
    line of the frame's i-th row; without it, lines are unknown)."""
    import pandera.errors

    try:
        spec.pandera_schema().validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as err:
        return failure_cases_to_problems(err.failure_cases, spec, file, frame, lines)
    return []


def failure_cases_to_problems(
    cases: pd.DataFrame, spec: TableSpec, file: str, frame: pd.DataFrame, lines: list[int] | None
) -> list[Problem]:
    """One Problem per (line, column, rule); a key clash lists the key's values together; a row
    rule shows the value of the column it is reported on."""
    grouped: dict[tuple, list[str]] = {}
    row_rules = {r.name: r.column for r in spec.row_rules}
    for case in cases.itertuples(index=False):
        index = None if is_missing(case.index) else int(case.index)
        line = None if index is None or lines is None else lines[index]
        rule, column, value = _case_rule_column_value(case, spec)
        if rule in row_rules and index is not None and column in frame:
            cell = frame.iloc[index][column]
            value = None if is_missing(cell) else str(cell)
        values = grouped.setdefault((line, column, rule), [])
        if value is not None and value not in values:
            values.append(value)
    problems = [
        Problem(file, line, column, rule, ", ".join(values) if values else None)
        for (line, column, rule), values in grouped.items()
    ]
    return sorted(problems, key=Problem.sort_key)


def _case_rule_column_value(case, spec: TableSpec) -> tuple[str, str | None, str | None]:
    rule = str(case.check)
    column = None if is_missing(case.column) else str(case.column)
    value = None if is_missing(case.failure_case) else str(case.failure_case)
    if case.schema_context == "DataFrameSchema":
        if rule in ("multiple_fields_uniqueness", "duplicates"):
            return (
                f"key ({', '.join(spec.primary_key)}) is unique",
                ", ".join(spec.primary_key),
                value,
            )
        column = spec.column_of_rule(rule) or (None if column == spec.name else column)
        rule = {
            "column_in_schema": "no columns beyond the spec",
            "column_in_dataframe": "every column of the spec is present",
        }.get(rule, rule)
    if rule.startswith("not_nullable"):
        return "required (not empty)", column, None
    return rule, column, value
