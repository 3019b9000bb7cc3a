"""Dagster resources: where raw files are read from and where the warehouse is built.

Belongs here: resource classes and the default resource set. Stays out: build/publish logic
(pipeline/release.py) and anything that transforms data.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_duckdb import DuckDBResource

from pipeline import paths, release
from pipeline.transforms.wjp_snapshot import SnapshotPin, pin_from_origin_record


class RawFilesResource(dg.ConfigurableResource):
    """The folder of transcribed source files and their origin records."""

    root: str = str(paths.raw_dir())

    @property
    def path(self) -> Path:
        return Path(self.root)


class WarehouseResource(dg.ConfigurableResource):
    """The warehouse directory. Each run builds in its own folder; `publish` swaps it in."""

    root: str = str(paths.warehouse_dir())
    keep_releases: int = int(os.environ.get("PIPELINE_KEEP_RELEASES", "2"))
    # DuckDB's own cap; past it, sorts and joins spill to disk (the build folder). Keeps a
    # refresh of a large source within a laptop's memory.
    memory_limit: str = os.environ.get("PIPELINE_DUCKDB_MEMORY_LIMIT", "1GB")

    @property
    def layout(self) -> release.WarehouseLayout:
        return release.WarehouseLayout(Path(self.root))

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
                "memory_limit": self.memory_limit,
                "temp_directory": str(build.directory / "duckdb_tmp"),
            },
        )
        with database.get_connection() as connection:
            yield connection


class WjpSnapshotResource(dg.ConfigurableResource):
    """Where the pinned WJP snapshot comes from. Defaults come from raw/wjp/roli.source.yml
    (and WJP_SNAPSHOT_URL for the URL); tests and mirrors may override them."""

    url: str | None = None
    sha256: str | None = None
    size_bytes: int | None = None
    cache_dir: str = str(paths.cache_dir() / "wjp")
    timeout_seconds: float = 30.0

    def pin(self) -> SnapshotPin:
        pinned = pin_from_origin_record()
        if self.sha256 is None:
            return SnapshotPin(self.url or pinned.url, pinned.sha256, pinned.size)
        return SnapshotPin(self.url or pinned.url, self.sha256, self.size_bytes)


def default_resources() -> dict:
    return {
        "raw_files": RawFilesResource(),
        "warehouse": WarehouseResource(),
        "wjp_snapshot": WjpSnapshotResource(),
    }
