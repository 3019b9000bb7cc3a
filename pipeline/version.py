"""The code version: one digest over everything that can change an output, so that any such
change makes the sensor ask for a refresh and shows every asset as changed in the UI.

What counts: the package's Python source, its SQL and YAML specs (or those of a models folder
given to the definitions factory instead of pipeline/sql/), the lock files and pyproject.toml.
Nothing is hand-picked, so no file can be forgotten.

Belongs here: computing that digest. Stays out: where it is recorded (release manifests).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pipeline.settings import MODELS_DIR, PACKAGE_DIR, REPO_ROOT

SOURCE_SUFFIXES = (".py", ".sql", ".yml", ".yaml")
PROJECT_FILES = ("pyproject.toml", "requirements.lock", "requirements-dev.lock")


def _sources(root: Path, skip: Path | None = None) -> dict[str, Path]:
    found = {}
    for path in sorted(root.rglob("*")):
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file() or "__pycache__" in path.parts:
            continue
        if skip is not None and skip in path.parents:
            continue
        found[path.relative_to(root).as_posix()] = path
    return found


def code_files(
    models_dir: Path = MODELS_DIR, package_dir: Path = PACKAGE_DIR, repo_root: Path = REPO_ROOT
) -> list[tuple[str, Path]]:
    """(name, path) of every file in the digest, in a stable order. The models are counted
    from `models_dir`, wherever it is; the package's own sql/ is left out when it is not."""
    default_models = package_dir / "sql"
    own_models = models_dir.resolve() == default_models.resolve()
    found = {
        f"pipeline/{k}": p
        for k, p in _sources(package_dir, None if own_models else default_models).items()
    }
    if not own_models:
        found |= {f"models/{k}": p for k, p in _sources(models_dir).items()}
    for name in PROJECT_FILES:
        if (repo_root / name).is_file():
            found[name] = repo_root / name
    return sorted(found.items())


def code_version(
    models_dir: Path = MODELS_DIR, package_dir: Path = PACKAGE_DIR, repo_root: Path = REPO_ROOT
) -> str:
    digest = hashlib.sha256()
    for name, path in code_files(models_dir, package_dir, repo_root):
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
