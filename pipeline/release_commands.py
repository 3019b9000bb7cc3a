"""The commands that look after published releases, and what the CLI says about their state:

    python -m pipeline.cli verify [RELEASE_ID]   check a release (current by default) file by file
    python -m pipeline.cli rollback              point `current` at the previous good release

and, before a no-op `make run` and after a refused one, whether the published release verifies.

Belongs here: those commands and lines. Stays out: the checks themselves (integrity.py).
"""

from __future__ import annotations

import os
import sys

from pipeline import integrity, locks, release
from pipeline.settings import Settings


def _layout() -> release.WarehouseLayout:
    return release.WarehouseLayout(Settings.resolve().warehouse_dir)


def verify(release_id: str | None = None) -> int:
    """0 when the release matches its manifest, file by file; else 1, with what to do."""
    layout = _layout()
    if release_id:
        folder = layout.releases_dir / release_id
        problems = integrity.damage(folder) if folder.is_dir() else ["no such release"]
    else:
        folder, problems = integrity.verify_current(layout)
    name = folder.name if folder else "current"
    if not problems:
        files = release.read_manifest(folder).get("files", {})
        print(f"release {name}: {len(files)} files verified against its manifest")
        return 0
    print(f"release {name} does not verify:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    print(what_to_do(layout), file=sys.stderr)
    return 1


def rollback() -> int:
    """Point `current` at the newest earlier release that verifies (waits for a refresh)."""
    layout = _layout()
    holder = f"`rollback` (pid {os.getpid()})"
    with locks.refresh_lock(layout.root, holder, lambda who: print(f"Waiting for {who}.")):
        try:
            print(integrity.rollback(layout))
        except LookupError as err:
            print(f"{err}. Rebuild from the raw files: make run ARGS=--force", file=sys.stderr)
            return 1
    return 0


def what_to_do(layout: release.WarehouseLayout) -> str:
    good = integrity.last_good(layout).path
    if good is None:
        return "No release verifies: rebuild from the raw files with make run ARGS=--force."
    return (
        f"Release {good.name} verifies: `python -m pipeline.cli rollback` points current at it "
        f"without rebuilding; `make run` rebuilds, starting from it."
    )


def damaged_current() -> list[str]:
    """Lines for a refresh to print first when the published release does not verify ([]
    when it does, or when there is none yet)."""
    layout = _layout()
    current, problems = integrity.verify_current(layout)
    if current is None or not problems:
        return []
    return [f"{integrity.describe(current, problems)}.", what_to_do(layout)]


def published_state() -> str:
    """What stays published after a refused refresh, checked, in a few words."""
    layout = _layout()
    current, problems = integrity.verify_current(layout)
    if current is None:
        return "there is no earlier release"
    if problems:
        return f"{integrity.describe(current, problems)}; {what_to_do(layout)}"
    return f"the published release is unchanged and verifies: {current.name}"
