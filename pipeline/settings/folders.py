"""The repository's fixed folders: every path of the project is rooted here, never at the
working directory; and the folder of this venv that holds the lake's DuckDB.

Belongs here: those folders. Stays out: folders a setting can move (values.py), checking that
the lake's DuckDB is installed (checks.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # pipeline/
REPO_ROOT = PACKAGE_DIR.parent
MODELS_DIR = PACKAGE_DIR / "sql"


def lake_site() -> Path:
    """Where `make lake-duckdb` installs the lake's DuckDB with its extensions
    (requirements-lake.lock): a folder of the venv running now, apart from the pipeline's own
    DuckDB (pipeline/lake_process.py runs the lake from there)."""
    return Path(sys.prefix) / "lake"
