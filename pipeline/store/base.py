"""Where published releases live: the interface every store implements, `ReleaseStore`.

Whichever store is in use, a refresh builds on the local disk (`WarehouseLayout.builds_dir`) and
reads a release through `local_copy`: the release's folder itself, or a copy fetched from the
object store (only the files whose object changed are fetched again). A release is verified on
that copy against its manifest (pipeline/integrity.py), so what is checked is what the store
holds.

Belongs here: the interface. Stays out: the implementations (local.py, s3.py), the choice
between them (pipeline/store/__init__.py), the folder layout and the atomic swap (release.py),
verifying (integrity.py).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

from pipeline import release


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
