"""Free disk space: what a build needs, checked before it starts, and failed builds dropped when
space is short.

A build writes a new database, exports and reports beside the published release, so it needs
about the size of the last release again, plus a margin for DuckDB's spill files and the
download cache. Before a build starts, the free space on the warehouse's disk is compared with
that figure: when it is short, the builds earlier refreshes left for inspection are removed
first, and if it is still short the refresh is refused at once, with the figures, instead of
failing half-way. A build that fails while space is short is removed too: none is kept.

Belongs here: those figures and decisions. Stays out: the layout and publishing (release.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline import release

MARGIN_BYTES = 50 * 1024 * 1024  # spill files, the download cache, the manifest and logs


def folder_size(folder: Path | None) -> int:
    if folder is None or not folder.is_dir():
        return 0
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def needed_bytes(baseline: Path | None) -> int:
    """What a build needs free: the last good release's size again, plus the margin."""
    return folder_size(baseline) + MARGIN_BYTES


def free_bytes(root: Path) -> int:
    existing = root
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    return shutil.disk_usage(existing).free


def space_problem(layout: release.WarehouseLayout, baseline: Path | None) -> str:
    """'' when a build fits; else, once failed builds are removed, why it does not (one line)."""
    needed = needed_bytes(baseline)
    if free_bytes(layout.root) >= needed:
        return ""
    release.prune_failed_builds(layout, keep=0)
    free = free_bytes(layout.root)
    if free >= needed:
        return ""
    return (
        f"Not enough free space on the disk of {layout.root}: {_mb(free)} free, a build needs "
        f"about {_mb(needed)} (the last release takes {_mb(folder_size(baseline))}, plus "
        f"{_mb(MARGIN_BYTES)}). Free space, or set PIPELINE_WAREHOUSE_DIR to a folder with room."
    )


def drop_if_short(layout: release.WarehouseLayout, build: release.Build, baseline) -> bool:
    """Remove a failed build when space is short (keep none then); True when removed."""
    if free_bytes(layout.root) >= needed_bytes(baseline):
        return False
    shutil.rmtree(build.directory, ignore_errors=True)
    return True


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"
