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
A killed or failed refresh leaves only a build directory that nothing points to; the next
refresh removes it, except the newest one, kept for debugging.

A partial build copies the release's files but links the indicators export's (LINKED): they are
only ever replaced by a rename, never written in place, so a linked file keeps its bytes in
every release holding it, and a large source's file costs no copy (pipeline/reuse.py).

Belongs here: the filesystem layout, publishing and pruning. Stays out: what is built (build.py,
stages.py), the locks (locks.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from pipeline import locks
from pipeline.digests import digest

DB_NAME = "warehouse.duckdb"
# DuckDB 1.x readers (the duckdb-cli on PyPI, R's duckdb, DBeaver) open files written in this
# storage format; DuckDB 2 reads it too.
STORAGE_VERSION = "v1.4.0"
PUBLIC_LINKS = {
    DB_NAME: f"current/{DB_NAME}",
    "exports": "current/exports",
    "reports": "current/reports",
}
MANIFEST = "manifest.json"
NOT_SEALED = ("duckdb_tmp",)  # DuckDB's spill folder: never part of a release
FAILED_BUILDS_KEPT = 1  # the last failed build stays for debugging; older ones are removed
LINKED = ("exports/indicators",)  # folders a partial build links, not copies (docstring)


class ReleaseMoved(RuntimeError):
    """Another refresh published while this one was building: publishing would lose its work."""


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
        """Published releases in publish order (the manifests' sequence): a folder without a
        manifest was never published and is not one."""
        if not self.releases_dir.is_dir():
            return []
        found = [p for p in self.releases_dir.iterdir() if (p / MANIFEST).is_file()]
        return sorted(found, key=lambda p: (_sequence(p), p.name))


def start_build(layout: WarehouseLayout, run_id: str, copy_of: Path | None = None) -> Build:
    """The build directory of this run, locked for as long as this process runs: empty (a
    build of everything), or a copy of the release folder `copy_of` (a partial build keeps
    what it does not rebuild). Failed builds of earlier refreshes are pruned."""
    prune_failed_builds(layout)
    build = layout.build_for(run_id)
    shutil.rmtree(build.directory, ignore_errors=True)
    build.directory.mkdir(parents=True)
    locks.hold_build_lock(build.directory, run_id)
    if copy_of is not None:
        shutil.copy2(copy_of / DB_NAME, build.db_path)
        for sub in ("exports", "reports"):
            if (copy_of / sub).is_dir():
                shutil.copytree(copy_of / sub, build.directory / sub, copy_function=_copy(copy_of))
    build.exports_dir.mkdir(exist_ok=True)
    build.reports_dir.mkdir(exist_ok=True)
    return build


def _copy(release: Path):
    """copytree's: link the files of LINKED folders, copy the others."""
    linked = [release / folder for folder in LINKED]
    return lambda source, to: (
        os.link(source, to) if Path(source).parent in linked else shutil.copy2(source, to)
    )


def prune_failed_builds(layout: WarehouseLayout, keep: int = FAILED_BUILDS_KEPT) -> list[Path]:
    """Remove builds of refreshes that ended without publishing, but the newest `keep`;
    builds of refreshes still running are never touched. Returns what was removed."""
    if not layout.builds_dir.is_dir():
        return []
    ended = [b for b in layout.builds_dir.iterdir() if b.is_dir() and not locks.is_running(b)]
    ended.sort(key=lambda b: b.stat().st_mtime, reverse=True)
    for build in ended[keep:]:
        shutil.rmtree(build, ignore_errors=True)
    return ended[keep:]


def publish(
    layout: WarehouseLayout,
    build: Build,
    manifest: dict,
    keep: int,
    release_id: str | None = None,
    expected: str | None = "",
) -> Path:
    """Move a finished build into releases/ and point `current` at it, atomically. With
    `expected` (a release id, or None for no release) the swap happens only if `current` is
    still that release: a build started from one release never replaces a newer one
    (ReleaseMoved)."""
    if keep < 1:
        raise ValueError(f"keep_releases must be at least 1, got {keep}")
    release_id = release_id or new_release_id(build)
    sequence = max((_sequence(r) for r in layout.releases()), default=0) + 1
    seal(build, manifest, release_id, sequence)
    with locks.publish_lock(layout.root):
        published = layout.current_release()  # its folder is named by its release id
        current = published.name if published else None
        if expected != "" and current != expected:
            raise ReleaseMoved(
                f"release {current} was published while this refresh was building from "
                f"{expected or 'no release'}; nothing was published. Refresh again."
            )
        layout.releases_dir.mkdir(parents=True, exist_ok=True)
        release = layout.releases_dir / release_id
        os.rename(build.directory, release)
        point_current(layout, release)
        prune_releases(layout, keep)
    locks.release_build_lock(build.directory.name)
    return release


def seal(build: Build, manifest: dict, release_id: str, sequence: int) -> dict:
    """Write the release's manifest into the finished build: `manifest`, its id, its place in
    publish order and the sha256 of every file; flushed to disk. Returns what was written."""
    (build.directory / locks.BUILD_LOCK).unlink(missing_ok=True)
    files = file_digests(build.directory)
    sealed = {**manifest, "release_id": release_id, "sequence": sequence, "files": files}
    _write_json(build.directory / MANIFEST, sealed)
    _fsync_tree(build.directory)
    return sealed


def new_release_id(build: Build) -> str:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{stamp}-{build.directory.name[:8]}"


def point_current(layout: WarehouseLayout, release: Path) -> None:
    """Swap `current` to `release` (atomically), with the public links beside it."""
    _swap_symlink(layout.current_link, os.path.relpath(release, layout.root))
    _ensure_public_links(layout)
    _remove_leftover_temporary_links(layout)


def file_digests(directory: Path) -> dict[str, str]:
    """{path relative to the release: sha256} of every file a release holds (not its manifest)."""
    digests = {}
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if not path.is_file() or relative.parts[0] in NOT_SEALED:
            continue
        if relative.as_posix() not in (MANIFEST, locks.BUILD_LOCK):
            digests[relative.as_posix()] = digest(path)
    return digests


def _sequence(folder: Path) -> int:
    """A release's place in publish order (0 for releases of older versions, which had none)."""
    try:
        return int(read_manifest(folder).get("sequence", 0))
    except (OSError, ValueError, TypeError):
        return 0


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
    """The oldest releases in publish order go, the newest `keep` stay; `current` always stays."""
    current = layout.current_release()
    releases = layout.releases()
    for old in releases[: max(0, len(releases) - keep)]:
        if current is None or old.resolve() != current:
            shutil.rmtree(old, ignore_errors=True)


def read_manifest(release: Path | None) -> dict:
    if release is None or not (release / MANIFEST).is_file():
        return {}
    return json.loads((release / MANIFEST).read_text(encoding="utf-8"))


def current_manifest(layout: WarehouseLayout) -> dict:
    return read_manifest(layout.current_release())


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
