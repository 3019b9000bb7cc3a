"""Validation problems: one broken rule at one place, and its message.

A place is a file (or a warehouse table), a line in it (the physical line, header = line 1;
for Parquet files, the 1-based row), a column and the rule. Every reader, check and refusal in
the project speaks in Problems, so every message has the same shape:

    raw/paper/table1_ranks.csv, line 12, column 'rank': rule 'rank <= n_ranked' failed
      (value: '162')

Belongs here: the `Problem` record and its message. Stays out: the rules themselves (schemas/)
and running them (validation.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
