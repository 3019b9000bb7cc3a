"""The one Dagster resource: the project's folders and limits, resolved when a run asks
(resource config first, then the environment, then the repository's defaults; see
pipeline/settings.py), and the build's DuckDB connection.

Belongs here: the resource class. Stays out: build/publish logic (pipeline/release.py) and
anything that transforms data.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipeline import release
from pipeline.settings import Settings

# DuckDB 1.x readers (the duckdb-cli on PyPI, R's duckdb, DBeaver) open files written in this
# storage format; DuckDB 2 reads it too.
STORAGE_VERSION = "v1.4.0"


class ProjectResource(dg.ConfigurableResource):
    """Folders and limits of the project. Every field left empty is resolved at run time."""

    raw_dir: str | None = None
    warehouse_dir: str | None = None
    cache_dir: str | None = None
    keep_releases: int | None = None
    memory_limit: str | None = None
    download_timeout_seconds: float = 30.0
    download_urls: dict[str, str] = {}  # source_id -> URL (a mirror); else <SOURCE>_URL env

    def settings(self) -> Settings:
        return Settings.resolve(
            self.raw_dir, self.warehouse_dir, self.cache_dir, self.keep_releases, self.memory_limit
        )

    @property
    def layout(self) -> release.WarehouseLayout:
        return release.WarehouseLayout(self.settings().warehouse_dir)

    def start_build(self, run_id: str) -> release.Build:
        return release.start_build(self.layout, run_id)

    def build(self, run_id: str) -> release.Build:
        return release.join_build(self.layout, run_id)

    @contextmanager
    def connect(self, run_id: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to this run's build database (never the published one)."""
        build = self.build(run_id)
        database = DuckDBResource(
            database=str(build.db_path),
            connection_config={
                "memory_limit": self.settings().memory_limit,
                "temp_directory": str(build.directory / "duckdb_tmp"),
                "storage_compatibility_version": STORAGE_VERSION,
            },
        )
        with database.get_connection() as connection:
            yield connection
