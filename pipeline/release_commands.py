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
from pipeline.locations import StoreError
from pipeline.settings import Settings
from pipeline.store import open_store
from pipeline.store.base import ReleaseStore


def _store() -> ReleaseStore:
    return open_store(Settings.resolve())


def verify(release_id: str | None = None) -> int:
    """0 when the release matches its manifest, file by file; else 1, with what to do."""
    store = _store()
    if release_id:
        known = release_id in store.release_ids()
        folder, problems = integrity.check(store, release_id) if known else (None, [])
        problems = problems if known else ["no such release"]
    else:
        release_id, problems = integrity.verify_current(store)
    name = release_id or "current"
    if not problems:
        files = store.manifest(release_id).get("files", {})
        print(f"release {name}: {len(files)} files verified against its manifest")
        return 0
    print(f"release {name} does not verify:", file=sys.stderr)
    for problem in problems:
        print(f"  {problem}", file=sys.stderr)
    print(what_to_do(store), file=sys.stderr)
    return 1


def rollback() -> int:
    """Point `current` at the newest earlier release that verifies (waits for a refresh)."""
    store = _store()
    holder = f"`rollback` (pid {os.getpid()})"
    with locks.refresh_lock(store.layout.root, holder, lambda who: print(f"Waiting for {who}.")):
        try:
            print(integrity.rollback(store))
        except LookupError as err:
            print(f"{err}. Rebuild from the raw files: make run ARGS=--force", file=sys.stderr)
            return 1
        except (release.ReleaseMoved, StoreError) as err:
            print(f"{err}. Nothing was rolled back.", file=sys.stderr)
            return 1
    return 0


def what_to_do(store: ReleaseStore) -> str:
    good = integrity.last_good(store).release_id
    if good is None:
        return "No release verifies: rebuild from the raw files with make run ARGS=--force."
    return (
        f"Release {good} verifies: `python -m pipeline.cli rollback` points current at it "
        f"without rebuilding; `make run` rebuilds, starting from it."
    )


def damaged_current() -> list[str]:
    """Lines for a refresh to print first when the published release does not verify ([]
    when it does, or when there is none yet)."""
    store = _store()
    current, problems = integrity.verify_current(store)
    if current is None or not problems:
        return []
    return [f"{integrity.describe(current, problems)}.", what_to_do(store)]


def published_state() -> str:
    """What stays published after a refused refresh, checked, in a few words."""
    store = _store()
    try:
        current, problems = integrity.verify_current(store)
    except StoreError as err:
        return f"the release store cannot be read: {err}"
    if current is None:
        return "there is no earlier release"
    if problems:
        return f"{integrity.describe(current, problems)}; {what_to_do(store)}"
    return f"the published release is unchanged and verifies: {current}"
