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

import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import locks, release


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

    path: Path | None = None
    manifest: dict = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # one line per damaged release passed over

    @property
    def release_id(self) -> str | None:
        return self.manifest.get("release_id")


def last_good(layout: release.WarehouseLayout) -> Baseline:
    """The current release if it verifies, else the newest earlier one that does, else none."""
    current = layout.current_release()
    history = [r for r in reversed(layout.releases()) if r != current]
    baseline = Baseline()
    for candidate in ([current] if current else []) + history:
        problems = damage(candidate)
        if not problems:
            baseline.path, baseline.manifest = candidate, release.read_manifest(candidate)
            return baseline
        baseline.skipped.append(describe(candidate, problems))
    return baseline


def describe(folder: Path, problems: list[str]) -> str:
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"release {folder.name} is damaged: {problems[0]}{more}"


def rollback(layout: release.WarehouseLayout) -> str:
    """Point `current` at the newest release before it that verifies; what was done, in a line.
    Raises LookupError when there is none."""
    with locks.publish_lock(layout.root):
        current = layout.current_release()
        history = layout.releases()
        earlier = history[: history.index(current)] if current in history else history
        for candidate in reversed(earlier):
            if not damage(candidate):
                release.point_current(layout, candidate)
                was = current.name if current else "no release"
                return f"current now points at release {candidate.name} (was {was})"
    raise LookupError("no earlier release verifies: nothing to roll back to")


def verify_current(layout: release.WarehouseLayout) -> tuple[Path | None, list[str]]:
    """The current release and what is wrong with it ([] when it verifies)."""
    current = layout.current_release()
    if current is None:
        exists = layout.current_link.is_symlink() or os.path.lexists(layout.current_link)
        return None, ["`current` points at no release" if exists else "there is no release yet"]
    return current, damage(current)
