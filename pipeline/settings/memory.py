"""DuckDB's memory limit: a size as the setting writes it (`1.5GB`, `800 MiB`), and, unless
set, one chosen from the machine: half the memory available now, within the refresh's
resident-memory budget.

Belongs here: parsing sizes and choosing the default. Stays out: reading the setting
(values.py).
"""

from __future__ import annotations

import os
import re

# A refresh stays under this much resident memory (docs/performance.md measures it at scale);
# what is not DuckDB's is Python, Dagster, pandas and the Arrow row group an export is writing.
RSS_BUDGET_MB, OUTSIDE_DUCKDB_MB, MIN_DUCKDB_MB = 2048, 640, 256
_UNITS = {"kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNITS |= {"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b)\s*", re.IGNORECASE)


def size_mb(text: str) -> float | None:
    """A DuckDB memory size (`1.5GB`, `800 MiB`) in MB of 10**6 bytes; None if it is not one."""
    match = _SIZE.fullmatch(str(text))
    if match is None:
        return None
    return float(match[1]) * _UNITS[match[2].lower()] / 10**6


def duckdb_memory_limit() -> str:
    """Half the memory available now (not fixed: a machine with more free memory gets more, up
    to the budget), and what the resident-memory budget leaves to DuckDB at most."""
    budget = RSS_BUDGET_MB - OUTSIDE_DUCKDB_MB
    return f"{max(MIN_DUCKDB_MB, min(_available_mb() // 2, budget))}MB"


def _available_mb() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
