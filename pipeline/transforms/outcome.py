"""What a step did to one asset, in plain Python: the relation it loaded, metadata to show, and
the problems each of its checks found. Steps' pure functions return Outcomes; the Dagster assets
turn them into materializations and check results (defs/results.py).

Belongs here: the Outcome record only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.transforms.problems import Problem


@dataclass
class Outcome:
    """One asset of the sources step: what it loaded and the result of each of its checks
    (a WARN check never blocks)."""

    asset_key: str
    relation: str | None = None  # the table to describe in the UI, when it was loaded
    metadata: dict = field(default_factory=dict)
    checks: dict[str, list[Problem]] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)  # check -> message, if it failed

    @property
    def ok(self) -> bool:
        return not any(self.checks.values())
