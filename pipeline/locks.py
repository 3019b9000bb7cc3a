"""The warehouse's locks, held with `fcntl.flock` on files inside it, so that the kernel releases
them when their process ends, however it ends:

- the refresh lock (`.refresh.lock`): one refresh at a time builds into a warehouse, whoever
  started it; the others wait, and are told who holds it;
- the build lock (`builds/<run_id>/.running.lock`): a build in progress is never pruned;
- the publish lock (`.publish.lock`): one publish at a time swaps `current`.

Belongs here: taking and testing those locks. Stays out: what they protect (release.py).
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUILD_LOCK = ".running.lock"  # held by the refresh writing a build, for as long as it runs
REFRESH_LOCK = ".refresh.lock"  # held by the one refresh building into this warehouse
_held_locks: dict[str, object] = {}  # run_id -> open lock file (released when the process ends)
_refresh_locks: set[Path] = set()  # warehouse roots whose refresh lock this process holds


def hold_build_lock(directory: Path, run_id: str) -> None:
    """Hold the lock of a build folder for as long as this process runs (or until released)."""
    handle = open(directory / BUILD_LOCK, "w")  # noqa: SIM115 (held until the process ends)
    fcntl.flock(handle, fcntl.LOCK_EX)
    _held_locks[run_id] = handle


def is_running(build_dir: Path) -> bool:
    """A build whose lock someone holds belongs to a refresh still running."""
    lock = build_dir / BUILD_LOCK
    if not lock.is_file():
        return False
    with open(lock, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def release_build_lock(run_id: str) -> None:
    handle = _held_locks.pop(run_id, None)
    if handle is not None:
        handle.close()


@contextmanager
def refresh_lock(root: Path, holder: str, on_wait=None) -> Iterator[None]:
    """One refresh at a time builds into a warehouse, whoever started it (the CLI, the UI, the
    schedule or the sensor): the others wait here. `holder` is written into the lock file, and
    `on_wait` is called with the holder's text when this has to wait. Re-entrant within a
    process (the CLI holds it around the Dagster run that takes it again)."""
    if root in _refresh_locks:
        yield
        return
    root.mkdir(parents=True, exist_ok=True)
    handle = open(root / REFRESH_LOCK, "a+")  # noqa: SIM115 (held for the block)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                handle.seek(0)
                on_wait(handle.read().strip() or "another refresh")
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(holder)
        handle.flush()
        _refresh_locks.add(root)
        try:
            yield
        finally:
            _refresh_locks.discard(root)
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


@contextmanager
def publish_lock(root: Path) -> Iterator[None]:
    """Serialise publishes (two refreshes may finish at the same moment)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".publish.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
