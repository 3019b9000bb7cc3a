"""Every path the pipeline uses, rooted at the repository (never at the working directory).

Belongs here: the repository root and the default locations of raw/, warehouse/ and the
download cache. `PIPELINE_WAREHOUSE_DIR` moves the warehouse elsewhere; that is the only way
the pipeline writes outside the repository's warehouse/ folder, and the user must set it.
`PIPELINE_RAW_DIR` reads the transcriptions from elsewhere; `PIPELINE_CACHE_DIR` moves the
download cache (default `warehouse/cache/`).
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
RAW_DIR = REPO_ROOT / "raw"
SQL_DIR = Path(__file__).resolve().parent / "sql"
SEEDS_DIR = REPO_ROOT.parent / "shared" / "seeds"


def raw_dir() -> Path:
    """The transcribed sources: `raw/` in the repository unless PIPELINE_RAW_DIR is set (the
    pipeline only reads here)."""
    configured = os.environ.get("PIPELINE_RAW_DIR")
    return Path(configured).resolve() if configured else RAW_DIR


def warehouse_dir() -> Path:
    """The warehouse root: `warehouse/` in the repository unless the user sets
    PIPELINE_WAREHOUSE_DIR explicitly."""
    configured = os.environ.get("PIPELINE_WAREHOUSE_DIR")
    return Path(configured).resolve() if configured else REPO_ROOT / "warehouse"


def cache_dir() -> Path:
    """Downloads are cached here: `warehouse/cache/` (outside git) unless PIPELINE_CACHE_DIR."""
    configured = os.environ.get("PIPELINE_CACHE_DIR")
    return Path(configured).resolve() if configured else warehouse_dir() / "cache"
