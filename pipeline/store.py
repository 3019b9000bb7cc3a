"""Where published releases live: one interface, two implementations.

- `LocalStore` (the default): releases are folders under the warehouse, `current` a symlink
  swapped atomically (pipeline/release.py), publishes serialised by a lock file.
- `S3Store` (pipeline/s3_store.py), with `PIPELINE_PUBLISH_URL=s3://bucket/prefix`: releases
  are objects under `releases/<id>/`, and `current.json`, one object moved by a conditional
  write, names the current one and the releases kept, in publish order.

Whichever is in use, a refresh builds on the local disk (`WarehouseLayout.builds_dir`) and
reads a release through `local_copy`: the release's folder itself, or a copy fetched from
the object store (only the files whose object changed are fetched again). A release is
verified on that copy against its manifest (pipeline/integrity.py), so what is checked is what
the store holds. `open_store(settings)` is the only place that chooses: the rest of the code
does not know which one is in use.

Belongs here: the interface, the local implementation and the choice. Stays out: the folder
layout and the atomic swap (release.py), S3 (s3_store.py, object_store.py), verifying
(integrity.py).
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from pathlib import Path

from pipeline import locks, release
from pipeline.locations import StoreError
from pipeline.settings import Settings

__all__ = ["LocalStore", "ReleaseStore", "StoreError", "as_store", "open_store"]


class ReleaseStore(ABC):
    """Published releases, wherever they are. `layout` is this machine's warehouse folder:
    builds, logs, locks and the local copies of releases."""

    layout: release.WarehouseLayout

    @property
    @abstractmethod
    def location(self) -> str:
        """Where releases are published, as a user would name it (a folder or an s3:// URL)."""

    @abstractmethod
    def current_id(self) -> str | None:
        """The id of the release `current` names, or None before the first publish."""

    @abstractmethod
    def release_ids(self) -> list[str]:
        """The releases published and kept, in publish order (oldest first)."""

    @abstractmethod
    def manifest(self, release_id: str | None) -> dict:
        """A release's manifest ({} for None or a release without one)."""

    @abstractmethod
    def local_copy(self, release_id: str) -> Path:
        """A folder on this machine holding the release's files as the store holds them
        (StoreError when it cannot be read)."""

    @abstractmethod
    def publish(
        self,
        build: release.Build,
        manifest: dict,
        keep: int,
        release_id: str,
        expected: str | None = "",
    ) -> Path:
        """Make the finished `build` the current release and keep the newest `keep`. With
        `expected` (a release id, or None for none) only if `current` is still that release,
        else release.ReleaseMoved and nothing is published. Returns the release's local copy."""

    @abstractmethod
    def point_current(self, release_id: str, expected: str | None) -> None:
        """Point `current` at a release already published (rollback), only if `current` is
        still `expected` (release.ReleaseMoved otherwise)."""

    @abstractmethod
    def newest_publish(self) -> tuple[float, str] | None:
        """(time, what) of the newest publish, for the clock check; None before any."""

    def missing_current(self) -> str:
        """Why there is no current release, in a few words."""
        return "there is no release yet"

    def download_cache(self):
        """A cache of the pinned downloads shared by every machine (get/put by file name), or
        None: the local cache alone."""
        return None

    def public_lines(self, release_id: str) -> list[str]:
        """Where readers find a release beyond this machine, one line each ([] when local)."""
        return []

    def current_manifest(self) -> dict:
        return self.manifest(self.current_id())


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


def open_store(settings: Settings) -> ReleaseStore:
    """The store the settings name: object storage with PIPELINE_PUBLISH_URL, else the
    warehouse folder."""
    layout = release.WarehouseLayout(settings.warehouse_dir)
    if settings.publish_url:
        from pipeline.s3_store import S3Store

        return S3Store(settings.publish_url, layout)
    return LocalStore(layout)


def as_store(where: ReleaseStore | release.WarehouseLayout) -> ReleaseStore:
    """A store, given one or a warehouse folder's layout (the local store of that folder)."""
    return where if isinstance(where, ReleaseStore) else LocalStore(where)
