"""What the one reader (reader.py) gives for one file: the `Read` record, which each step fills
(the typed table, the checksum, the rows, the columns) and into which it puts the problems it
finds, each naming the file, the line (or a Parquet file's row), the column and the rule.

Belongs here: that record. Stays out: the steps themselves (reader.py, csv_bytes.py, header.py,
cell_types.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.transforms.problems import Problem

EXAMPLES_PER_RULE = 20  # failing cells listed per rule; the count is always complete


@dataclass
class Read:
    """What reading one file gave: the typed table (None if the file could not be read), its
    checksum and row count, the columns it had, and every problem found."""

    file: str
    relation: str | None = None
    sha256: str = ""
    rows: int = 0
    columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unit: str = "line"  # what `line` numbers count: physical lines (CSV) or rows (Parquet)
    newlines: int = 0  # line breaks in a CSV file (its lines, when it ends with one)

    def problem(
        self, rule: str, value: str | None = None, line=None, column=None, fix=None, cause=None
    ):
        where = {"line": line} if self.unit == "line" else {"line": None, "row": _text(line)}
        self.problems.append(
            Problem(self.file, column=column, rule=rule, value=value, fix=fix, cause=cause, **where)
        )
        return self


def _text(number) -> str | None:
    return None if number is None else str(number)
