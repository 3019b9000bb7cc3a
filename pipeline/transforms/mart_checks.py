"""Checks on marts beyond their specs: promises that span rows or tables, written once as SQL
over the mart, each returning Problems. The models step runs them as blocking checks.

Belongs here: those checks, keyed by mart and check name. Stays out: per-row rules, which
belong in the mart's spec (sql/marts/<name>.yml).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from pipeline.transforms.problems import Problem


@dataclass(frozen=True)
class MartCheck:
    description: str
    run: Callable[[duckdb.DuckDBPyConnection], list[Problem]]


MART_CHECKS: dict[str, dict[str, MartCheck]] = {}
