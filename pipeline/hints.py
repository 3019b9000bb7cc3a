"""Failures that a setting cures, in the project's words: DuckDB out of memory names
PIPELINE_DUCKDB_MEMORY_LIMIT (never DuckDB's own `SET memory_limit` advice), a full disk names
the folder and its setting.

Belongs here: those words. Stays out: reading and checking the settings (pipeline/settings/).
"""

from __future__ import annotations

import errno
import re

from pipeline.settings import CACHE, WAREHOUSE, Settings, size_mb


def failure_hint(err: BaseException, settings: Settings, step: str = "") -> str | None:
    """The project's words for a failure a setting cures, or None: DuckDB out of memory names
    the step, the limit it hit and PIPELINE_DUCKDB_MEMORY_LIMIT (DuckDB's first line kept,
    never its `SET ...` advice), a full disk the folder's setting."""
    text = str(err).strip()
    if is_out_of_memory(err):
        return memory_hint(text, settings.memory_limit, step)
    if getattr(err, "errno", None) == errno.ENOSPC or "no space left on device" in text.lower():
        name, folder = WAREHOUSE, settings.warehouse_dir
        if str(settings.cache_dir) in text and not settings.cache_dir.is_relative_to(folder):
            name, folder = CACHE, settings.cache_dir
        return f"the disk of {folder} is full: free space, or set {name} to a folder with room"
    return None


def is_out_of_memory(err: BaseException) -> bool:
    return type(err).__name__ == "OutOfMemoryException" and "out of memory" in str(err).lower()


def is_resource_failure(err: BaseException) -> bool:
    """Out of memory or out of disk: the build cannot go on, whatever the data."""
    text = str(err).lower()
    return (
        is_out_of_memory(err)
        or getattr(err, "errno", None) == errno.ENOSPC
        or ("no space left on device" in text)
    )


def memory_hint(text: str, limit: str, step: str = "") -> str:
    """DuckDB's out-of-memory message in the project's words: the step that ran out, the limit
    it hit (what the step needed is more than that), and which setting to raise."""
    first = text.strip().splitlines()[0] if text.strip() else ""
    detail = re.sub(r"^.*?out of memory error:\s*", "", first, flags=re.IGNORECASE)
    twice = 2 * (size_mb(limit) or 0)
    twice_text = f"{twice / 1000:.1f}GB" if twice >= 1000 else f"{twice:.0f}MB"
    example = f", e.g. PIPELINE_DUCKDB_MEMORY_LIMIT={twice_text}" if twice else ""
    where = f" in the {step} step" if step else ""
    return (
        f"DuckDB ran out of memory{where}: it needed more than its limit of {limit} ({detail}); "
        f"raise PIPELINE_DUCKDB_MEMORY_LIMIT (now {limit}){example}, or free memory on this "
        "machine"
    )
