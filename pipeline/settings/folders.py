"""The repository's fixed folders: every path of the project is rooted here, never at the
working directory.

Belongs here: those constants. Stays out: folders a setting can move (values.py).
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # pipeline/
REPO_ROOT = PACKAGE_DIR.parent
MODELS_DIR = PACKAGE_DIR / "sql"
