"""The default store: releases as folders under this machine's warehouse, `current` a symlink
swapped atomically (pipeline/release.py), publishes serialised by a lock file.

Belongs here: the local implementation of `ReleaseStore` (base.py). Stays out: the folder layout
and the atomic swap themselves (release.py), the lock (locks.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from pipeline import locks, release
from pipeline.locations import StoreError
from pipeline.store.base import ReleaseStore


class LocalStore(ReleaseStore):
    """Releases as folders of this machine's warehouse, swapped with a symlink."""

    def __init__(self, layout: release.WarehouseLayout):
        self.layout = layout

    @property
    def location(self) -> str:
        return str(self.layout.root)

    def current_id(self) -> str | None:
        current = self.layout.current_release()
        return current.name if current else None

    def release_ids(self) -> list[str]:
        return [folder.name for folder in self.layout.releases()]

    def manifest(self, release_id: str | None) -> dict:
        return release.read_manifest(self.layout.releases_dir / release_id) if release_id else {}

    def local_copy(self, release_id: str) -> Path:
        folder = self.layout.releases_dir / release_id
        if not folder.is_dir():
            raise StoreError(f"release {release_id} is not in {self.layout.releases_dir}")
        return folder

    def publish(self, build, manifest, keep, release_id, expected=""):
        return release.publish(self.layout, build, manifest, keep, release_id, expected)

    def point_current(self, release_id: str, expected: str | None) -> None:
        with locks.publish_lock(self.layout.root):
            if (now := self.current_id()) != expected:
                raise release.ReleaseMoved(f"release {now} was published meanwhile")
            release.point_current(self.layout, self.layout.releases_dir / release_id)

    def newest_publish(self) -> tuple[float, str] | None:
        stamps = [
            ((folder / release.MANIFEST).stat().st_mtime, f"release {folder.name}")
            for folder in self.layout.releases()
        ]
        return max(stamps, default=None)

    def missing_current(self) -> str:
        link = self.layout.current_link
        exists = link.is_symlink() or os.path.lexists(link)
        return "`current` points at no release" if exists else "there is no release yet"
