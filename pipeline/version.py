"""The code version: one digest over everything that can change an output, so that any such
change makes the sensor ask for a refresh and shows every asset as changed in the UI.

What counts: the package's Python source, its SQL and YAML specs (and a models folder given
to the definitions factory), the lock files and pyproject.toml. Nothing is hand-picked, so no
file can be forgotten.

Belongs here: computing that digest. Stays out: where it is recorded (release manifests).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.settings import MODELS_DIR, PACKAGE_DIR, REPO_ROOT

SOURCE_SUFFIXES = (".py", ".sql", ".yml", ".yaml")
PROJECT_FILES = ("pyproject.toml", "requirements.lock", "requirements-dev.lock")


def code_files(models_dir: Path = MODELS_DIR) -> list[tuple[str, Path]]:
    """(name, path) of every file in the digest, in a stable order."""
    found = {}
    for root, label in ((PACKAGE_DIR, "pipeline"), (models_dir, "models")):
        for path in root.rglob("*"):
            if (
                path.suffix in SOURCE_SUFFIXES
                and path.is_file()
                and "__pycache__" not in path.parts
            ):
                found[f"{label}/{path.relative_to(root).as_posix()}"] = path
    if models_dir.resolve() != MODELS_DIR.resolve():
        found = {k: v for k, v in found.items() if not k.startswith("pipeline/sql/")}
    else:
        found = {k: v for k, v in found.items() if not k.startswith("models/")}
    for name in PROJECT_FILES:
        if (REPO_ROOT / name).is_file():
            found[name] = REPO_ROOT / name
    return sorted(found.items())


def code_version(models_dir: Path = MODELS_DIR) -> str:
    digest = hashlib.sha256()
    for name, path in code_files(models_dir):
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
