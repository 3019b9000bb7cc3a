"""Build aside, publish atomically: how a refresh turns into what users see.

Layout of the warehouse directory:

    warehouse/
      builds/<run_id>/          a refresh in progress (its own DuckDB file, exports, reports)
      releases/<release_id>/    published states, newest last; the last N are kept
      current -> releases/<id>  the one symlink that is swapped, atomically, on publish
      warehouse.duckdb -> current/warehouse.duckdb
      exports -> current/exports
      reports -> current/reports

A refresh writes only inside its build directory. Publishing renames the finished build into
releases/ and swaps `current` with `os.replace` (atomic on POSIX), so a reader sees the old
state or the new one, never a mix; a reader holding the old DuckDB file open keeps reading it.
A killed refresh leaves only a build directory that nothing points to; it is removed later.

Belongs here: the filesystem layout, the publish lock, publishing and pruning.
Stays out: what is built (defs/, transforms/).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DB_NAME = "warehouse.duckdb"
PUBLIC_LINKS = {
    DB_NAME: f"current/{DB_NAME}",
    "exports": "current/exports",
    "reports": "current/reports",
}
# A build directory this old belongs to a refresh that was killed; no refresh runs this long.
STALE_BUILD_SECONDS = 6 * 3600


@dataclass(frozen=True)
class Build:
    """The private working area of one refresh."""

    directory: Path

    @property
    def db_path(self) -> Path:
        return self.directory / DB_NAME

    @property
    def exports_dir(self) -> Path:
        return self.directory / "exports"

    @property
    def reports_dir(self) -> Path:
        return self.directory / "reports"


@dataclass(frozen=True)
class WarehouseLayout:
    root: Path

    @property
    def builds_dir(self) -> Path:
        return self.root / "builds"

    @property
    def releases_dir(self) -> Path:
        return self.root / "releases"

    @property
    def current_link(self) -> Path:
        return self.root / "current"

    @property
    def published_db(self) -> Path:
        return self.root / DB_NAME

    def build_for(self, run_id: str) -> Build:
        return Build(self.builds_dir / run_id)

    def current_release(self) -> Path | None:
        """The published release directory, or None before the first publish."""
        if not self.current_link.is_symlink():
            return None
        target = self.current_link.resolve()
        return target if target.is_dir() else None

    def releases(self) -> list[Path]:
        if not self.releases_dir.is_dir():
            return []
        return sorted(p for p in self.releases_dir.iterdir() if p.is_dir())


def start_build(layout: WarehouseLayout, run_id: str) -> Build:
    """A fresh, empty build directory for this run (the start of a full refresh)."""
    build = layout.build_for(run_id)
    shutil.rmtree(build.directory, ignore_errors=True)
    build.exports_dir.mkdir(parents=True)
    build.reports_dir.mkdir(parents=True)
    return build


def join_build(layout: WarehouseLayout, run_id: str) -> Build:
    """The build of this run; a run that did not start at the raw layer (a partial refresh from
    the UI) starts from a copy of the published state."""
    build = layout.build_for(run_id)
    if build.db_path.exists():
        return build
    build.directory.mkdir(parents=True, exist_ok=True)
    release = layout.current_release()
    if release is not None:
        shutil.copy2(release / DB_NAME, build.db_path)
        for sub in ("exports", "reports"):
            if (release / sub).is_dir() and not (build.directory / sub).exists():
                shutil.copytree(release / sub, build.directory / sub)
    build.exports_dir.mkdir(exist_ok=True)
    build.reports_dir.mkdir(exist_ok=True)
    return build


@contextmanager
def publish_lock(layout: WarehouseLayout) -> Iterator[None]:
    """Serialise publishes (two refreshes may finish at the same moment)."""
    layout.root.mkdir(parents=True, exist_ok=True)
    with open(layout.root / ".publish.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(layout: WarehouseLayout, build: Build, manifest: dict, keep: int) -> Path:
    """Move a finished build into releases/ and point `current` at it, atomically."""
    if keep < 1:
        raise ValueError(f"keep_releases must be at least 1, got {keep}")
    _write_json(build.directory / "manifest.json", manifest)
    _fsync_tree(build.directory)
    with publish_lock(layout):
        layout.releases_dir.mkdir(parents=True, exist_ok=True)
        release = layout.releases_dir / _release_id(build)
        os.rename(build.directory, release)
        _swap_symlink(layout.current_link, os.path.relpath(release, layout.root))
        _ensure_public_links(layout)
        _remove_leftover_temporary_links(layout)
        prune_releases(layout, keep)
        prune_stale_builds(layout)
    return release


def _release_id(build: Build) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{build.directory.name[:8]}"


def _swap_symlink(link: Path, target: str) -> None:
    temporary = link.with_name(f".{link.name}.{os.getpid()}.tmp")
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    os.symlink(target, temporary)
    os.replace(temporary, link)
    _fsync_dir(link.parent)


def _ensure_public_links(layout: WarehouseLayout) -> None:
    for name, target in PUBLIC_LINKS.items():
        link = layout.root / name
        if link.is_symlink() and os.readlink(link) == target:
            continue
        if link.exists() and not link.is_symlink():
            raise FileExistsError(
                f"{link} is a regular file or folder, not the link to the published state; "
                "move it away (it is not managed by the pipeline)"
            )
        _swap_symlink(link, target)


def _remove_leftover_temporary_links(layout: WarehouseLayout) -> None:
    """A publish killed between creating and renaming a link leaves `.<name>.<pid>.tmp`."""
    for leftover in layout.root.glob(".*.tmp"):
        if leftover.is_symlink():
            leftover.unlink()


def prune_releases(layout: WarehouseLayout, keep: int) -> None:
    current = layout.current_release()
    releases = layout.releases()
    for old in releases[: max(0, len(releases) - keep)]:
        if current is None or old.resolve() != current:
            shutil.rmtree(old, ignore_errors=True)


def prune_stale_builds(layout: WarehouseLayout, now: float | None = None) -> None:
    if not layout.builds_dir.is_dir():
        return
    cutoff = (now or time.time()) - STALE_BUILD_SECONDS
    for build in layout.builds_dir.iterdir():
        if build.stat().st_mtime < cutoff:
            shutil.rmtree(build, ignore_errors=True)


def read_manifest(release: Path | None) -> dict:
    if release is None or not (release / "manifest.json").is_file():
        return {}
    return json.loads((release / "manifest.json").read_text(encoding="utf-8"))


def _write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def _fsync_tree(directory: Path) -> None:
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(directory)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
