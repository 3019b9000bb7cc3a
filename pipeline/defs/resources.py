"""The one Dagster resource: the project's folders and limits, resolved when a run asks
(resource config first, then the environment, then the repository's defaults; see
pipeline/settings/), and the download options a refresh uses.

Belongs here: the resource class. Stays out: building and publishing (pipeline/build.py).
"""

from __future__ import annotations

import dagster as dg

from pipeline import release
from pipeline.settings import Settings
from pipeline.store import open_store
from pipeline.store.base import ReleaseStore
from pipeline.transforms.sources.read_all import DownloadOptions


class ProjectResource(dg.ConfigurableResource):
    """Folders and limits of the project. Every field left empty is resolved at run time."""

    raw_dir: str | None = None
    warehouse_dir: str | None = None
    cache_dir: str | None = None
    keep_releases: int | None = None
    memory_limit: str | None = None
    download_timeout_seconds: int | None = None  # each connect and read of a download
    download_deadline_seconds: int | None = None  # a whole download
    download_urls: dict[str, str] = {}  # source_id -> URL (a mirror); else its variable

    def settings(self) -> Settings:
        return Settings.resolve(
            self.raw_dir,
            self.warehouse_dir,
            self.cache_dir,
            self.keep_releases,
            self.memory_limit,
            download_timeout=self.download_timeout_seconds,
            download_deadline=self.download_deadline_seconds,
            download_urls=self.download_urls,
        )

    @property
    def layout(self) -> release.WarehouseLayout:
        return release.WarehouseLayout(self.settings().warehouse_dir)

    def store(self) -> ReleaseStore:
        """Where releases are published (the warehouse folder, or PIPELINE_PUBLISH_URL)."""
        return open_store(self.settings())

    def download_options(self) -> DownloadOptions:
        """The URLs (a mirror: the resource config, else WJP_SNAPSHOT_URL or VDEM_SNAPSHOT_URL),
        and the limits of each download (PIPELINE_DOWNLOAD_TIMEOUT_SECONDS for each connect and
        read, PIPELINE_DOWNLOAD_DEADLINE_SECONDS for the whole file)."""
        settings = self.settings()
        return DownloadOptions(
            settings.download_timeout_seconds,
            dict(settings.download_urls),
            deadline_seconds=settings.download_deadline_seconds,
        )
