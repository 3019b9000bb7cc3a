"""Free disk space: what a build needs, checked before it starts, and failed builds dropped when
space is short.

A build writes a new database, exports and reports beside the published release, so it needs
about the size of the last release again, plus a margin for DuckDB's spill files and the
download cache. Before a build starts, the free space on the warehouse's disk is compared with
that figure: when it is short, the builds earlier refreshes left for inspection are removed
first, and if it is still short the refresh is refused at once, with the figures, instead of
failing half-way. A build that fails while space is short is removed too: none is kept. So is
a build that failed for want of memory or disk (it holds nothing to inspect that the inputs do
not), and a failed build larger than KEPT_BUILD_BYTES (a large source's copy: a 25M-row source
left 350 MB behind); a small failed build stays for inspection.

Belongs here: those figures and decisions. Stays out: the layout and publishing (release.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from pipeline import release

MARGIN_BYTES = 50 * 1024 * 1024  # spill files, the download cache, the manifest and logs
KEPT_BUILD_BYTES = 100 * 1024 * 1024  # a failed build above this is removed, not kept


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


def drop_failed(
    layout: release.WarehouseLayout, build: release.Build, baseline, resource_failure: bool
) -> str:
    """Remove a failed build when space is short, when it failed for want of memory or disk,
    or when it is large (module docstring); '' when it is kept, else a line saying why not."""
    size = folder_size(build.directory)
    if free_bytes(layout.root) < needed_bytes(baseline):
        why = "space on the disk is short"
    elif resource_failure:
        why = "it ran out of memory or disk"
    elif size > KEPT_BUILD_BYTES:
        why = f"failed builds above {_mb(KEPT_BUILD_BYTES)} are not kept"
    else:
        return ""
    shutil.rmtree(build.directory, ignore_errors=True)
    return f"the failed build ({_mb(size)}) was removed: {why}"


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"
