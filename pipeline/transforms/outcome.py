"""What a refresh did to one asset, in plain Python: the relation it loaded and a summary of it,
the files it wrote, metadata to show, and the problems each of its checks found. The build
returns Outcomes; the Dagster asset turns them into materializations and check results once
the release that holds them is published (defs/results.py).

Belongs here: the Outcome record and the summary of a relation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.transforms.problems import Problem

PREVIEW_ROWS = 5  # enough to recognise a table in the UI without flooding the event log


@dataclass(frozen=True)
class RelationSummary:
    """A warehouse relation as the UI shows it: its rows, its columns with DuckDB's types, and
    the first few rows."""

    relation: str
    row_count: int
    columns: tuple[tuple[str, str], ...]  # (name, DuckDB type)
    preview: tuple[tuple, ...]


@dataclass
class Outcome:
    """One asset of a refresh: what it loaded and the result of each of its checks (a WARN
    check never blocks)."""

    asset_key: str
    relation: str | None = None  # the table to describe in the UI, when it was loaded
    metadata: dict = field(default_factory=dict)
    checks: dict[str, list[Problem]] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)  # check -> message, if it failed
    summary: RelationSummary | None = None  # of `relation`, read before the build is published
    files: dict[str, str] = field(default_factory=dict)  # label -> path inside the release
    # check -> how a check that passed without scanning the rows here was decided (a model's
    # rows validated in a mart, transforms/models/run.py)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(self.checks.values())
