"""Is a release what was published? Every release's manifest lists each of its files with its
sha256 (written at publish, pipeline/release.py); this module checks a release against that
list, finds the last release that verifies, and moves `current` back to it.

- A no-op `make run`, and every build that starts from the published release, verify it first:
  a damaged release is reported by file, and the build starts from the last release that
  verifies (or from nothing), never from a broken one.
- The release guard compares with that last good release, not only with `current`.
- `python -m pipeline.cli verify` checks a release on demand; `rollback` points `current` at the
  previous release that verifies.

Belongs here: checking releases and choosing among them. Stays out: publishing (release.py),
building (build.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline import release
from pipeline.locations import StoreError
from pipeline.store import as_store
from pipeline.store.base import ReleaseStore


def damage(folder: Path) -> list[str]:
    """What differs from the release's own file list: one line per file ([] when it verifies)."""
    try:
        manifest = release.read_manifest(folder)
    except (OSError, ValueError) as err:
        return [f"{release.MANIFEST}: unreadable ({err.__class__.__name__})"]
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        return [
            f"{release.MANIFEST}: no file list (published by an older version): cannot be verified"
        ]
    found = release.file_digests(folder)
    lines = []
    for name, expected in sorted(listed.items()):
        if name not in found:
            lines.append(f"{name}: missing")
        elif found[name] != expected:
            lines.append(f"{name}: sha256 {found[name][:12]}, published {expected[:12]}")
    lines += [f"{name}: not part of the release" for name in sorted(found.keys() - listed.keys())]
    return lines


@dataclass
class Baseline:
    """The release a build starts from and is compared with: the newest that verifies."""

    path: Path | None = None  # its local copy (store.local_copy)
    manifest: dict = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # one line per damaged release passed over

    @property
    def release_id(self) -> str | None:
        return self.manifest.get("release_id")


def check(
    where: ReleaseStore | release.WarehouseLayout, release_id: str
) -> tuple[Path | None, list[str]]:
    """A release's local copy and what is wrong with it ([] when it verifies); a release the
    store cannot give is one problem."""
    try:
        folder = as_store(where).local_copy(release_id)
    except StoreError as err:
        return None, [str(err)]
    return folder, damage(folder)


def last_good(where: ReleaseStore | release.WarehouseLayout) -> Baseline:
    """The current release if it verifies, else the newest earlier one that does, else none."""
    store = as_store(where)
    current = store.current_id()
    history = [r for r in reversed(store.release_ids()) if r != current]
    baseline = Baseline()
    for candidate in ([current] if current else []) + history:
        folder, problems = check(store, candidate)
        if not problems:
            baseline.path, baseline.manifest = folder, release.read_manifest(folder)
            return baseline
        baseline.skipped.append(describe(candidate, problems))
    return baseline


def describe(release_id: str | Path, problems: list[str]) -> str:
    name = release_id.name if isinstance(release_id, Path) else release_id
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"release {name} is damaged: {problems[0]}{more}"


def rollback(where: ReleaseStore | release.WarehouseLayout) -> str:
    """Point `current` at the newest release before it that verifies; what was done, in a line.
    Raises LookupError when there is none (release.ReleaseMoved when another release was
    published meanwhile)."""
    store = as_store(where)
    current = store.current_id()
    history = store.release_ids()
    earlier = history[: history.index(current)] if current in history else history
    for candidate in reversed(earlier):
        if not check(store, candidate)[1]:
            store.point_current(candidate, current)
            return f"current now points at release {candidate} (was {current or 'no release'})"
    raise LookupError("no earlier release verifies: nothing to roll back to")


def verify_current(where: ReleaseStore | release.WarehouseLayout) -> tuple[str | None, list[str]]:
    """The current release's id and what is wrong with it ([] when it verifies)."""
    store = as_store(where)
    current = store.current_id()
    if current is None:
        return None, [store.missing_current()]
    return current, check(store, current)[1]
