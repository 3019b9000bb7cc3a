"""Where things are, resolved at run time.

Belongs here: the repository's fixed folders, and `Settings`: the folders and limits a run
uses, from explicit values (resource config, a test's tmp_path) or else the environment
(`PIPELINE_RAW_DIR`, `PIPELINE_WAREHOUSE_DIR`, `PIPELINE_CACHE_DIR`, `PIPELINE_KEEP_RELEASES`,
`PIPELINE_DUCKDB_MEMORY_LIMIT`, `PIPELINE_SENSOR_INTERVAL_SECONDS`, `PIPELINE_MODELS_DIR`,
`PIPELINE_KEEP_RUNS`), read
when a run or a definitions load asks, never at import. Every path is rooted
at the repository, never at the working directory. DuckDB's memory limit, unless set, is chosen
from the machine: half the memory available now, within the refresh's resident-memory budget.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
MODELS_DIR = PACKAGE_DIR / "sql"
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"
DEFAULT_KEEP_RELEASES = 2
DEFAULT_SENSOR_INTERVAL_SECONDS = 30
DEFAULT_KEEP_RUNS = 20  # Dagster run history and run logs kept
# A refresh stays under this much resident memory (docs/performance.md measures it at scale);
# what is not DuckDB's is Python, Dagster, pandas and the Arrow row group an export is writing.
RSS_BUDGET_MB, OUTSIDE_DUCKDB_MB, MIN_DUCKDB_MB = 2048, 640, 256


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_dir: Path
    cache_dir: Path
    keep_releases: int = DEFAULT_KEEP_RELEASES
    memory_limit: str = ""  # DuckDB's cap (resolve: PIPELINE_DUCKDB_MEMORY_LIMIT or the machine)
    sensor_interval_seconds: int = DEFAULT_SENSOR_INTERVAL_SECONDS  # between sensor evaluations
    models_dir: Path = MODELS_DIR  # the SQL models and their specs (PIPELINE_MODELS_DIR)
    keep_runs: int = DEFAULT_KEEP_RUNS  # runs and run logs kept (PIPELINE_KEEP_RUNS)

    @classmethod
    def resolve(
        cls,
        raw_dir: str | Path | None = None,
        warehouse_dir: str | Path | None = None,
        cache_dir: str | Path | None = None,
        keep_releases: int | None = None,
        memory_limit: str | None = None,
        environ=None,
    ) -> Settings:
        """Explicit values first, then the environment, then the repository's defaults."""
        env = os.environ if environ is None else environ
        raw = _path(raw_dir, env.get("PIPELINE_RAW_DIR"), REPO_ROOT / "raw")
        warehouse = _path(warehouse_dir, env.get("PIPELINE_WAREHOUSE_DIR"), REPO_ROOT / "warehouse")
        cache = _path(cache_dir, env.get("PIPELINE_CACHE_DIR"), warehouse / "cache")
        keep = keep_releases or int(env.get("PIPELINE_KEEP_RELEASES") or DEFAULT_KEEP_RELEASES)
        memory = memory_limit or env.get("PIPELINE_DUCKDB_MEMORY_LIMIT") or duckdb_memory_limit()
        interval = int(
            env.get("PIPELINE_SENSOR_INTERVAL_SECONDS") or DEFAULT_SENSOR_INTERVAL_SECONDS
        )
        models = _path(None, env.get("PIPELINE_MODELS_DIR"), MODELS_DIR)
        runs = int(env.get("PIPELINE_KEEP_RUNS") or DEFAULT_KEEP_RUNS)
        return cls(raw, warehouse, cache, keep, memory, interval, models, runs)


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


def _path(explicit, from_env, default: Path) -> Path:
    value = explicit or from_env
    return Path(value).resolve() if value else default
