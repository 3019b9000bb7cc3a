"""Shared fixtures: a copy of raw/ to break, a tmp_path warehouse, and a real Dagster run.

Tests never touch the repository's warehouse/: every run gets its own folder under tmp_path.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline import paths
from pipeline.defs.resources import RawFilesResource, WarehouseResource, WjpSnapshotResource
from pipeline.release import WarehouseLayout
from pipeline.transforms.raw_io import update_origin_checksum
from tests.wjp_server import serve, shared_snapshot_path

SEED_TEXT = paths.SEEDS_DIR / "000_7f6503c546157ee3.txt"
# Debian's Chromium, installed by .ci/run; these flags keep it off the network (the machine has
# none) and out of the way of a fresh profile.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)  # fmt: skip


def require_chromium() -> Path:
    """The browser, or a failing test that says how to install it (never a skip)."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is not installed: the report's browser tests need a real browser. "
            ".ci/run must install Debian's chromium (`apt-get install -y chromium`) before "
            "`make test`; this test is never skipped."
        )
    return CHROMIUM


@dataclass
class Run:
    """One materialization of the whole graph into a temporary warehouse."""

    result: dg.ExecuteInProcessResult
    raw_dir: Path
    warehouse_dir: Path

    @property
    def layout(self) -> WarehouseLayout:
        return WarehouseLayout(self.warehouse_dir)

    def query(self, sql: str, params=None):
        with duckdb.connect(str(self.layout.published_db), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()


def all_assets(raw_dir: Path | None = None):
    """Every asset; with `raw_dir`, the long-format sources are those it declares (as a
    reload of the definitions would find them)."""
    from pipeline.definitions import ALL_ASSETS
    from pipeline.defs.assets.indicator_sources import indicator_sources_asset

    if raw_dir is None:
        return ALL_ASSETS
    others = [
        a for a in ALL_ASSETS if getattr(a, "op", None) is None or a.op.name != "indicator_sources"
    ]
    return [*others, indicator_sources_asset(raw_dir)]


# Nothing listens on port 9 of the loopback address: the download fails at once, as offline.
UNREACHABLE_URL = "http://127.0.0.1:9/roli.json"


def offline_wjp(cache_dir: Path) -> WjpSnapshotResource:
    return WjpSnapshotResource(url=UNREACHABLE_URL, cache_dir=str(cache_dir), timeout_seconds=5)


def materialize_into(
    raw_dir: Path, warehouse_dir: Path, instance=None, wjp: WjpSnapshotResource | None = None
) -> Run:
    resources = {
        "raw_files": RawFilesResource(root=str(raw_dir)),
        "warehouse": WarehouseResource(root=str(warehouse_dir)),
        "wjp_snapshot": wjp or offline_wjp(warehouse_dir.parent / "wjp_cache"),
    }
    result = dg.materialize(
        all_assets(raw_dir),
        resources=resources,
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )
    return Run(result, raw_dir, warehouse_dir)


def copy_raw(destination: Path) -> Path:
    target = destination / "raw"
    shutil.copytree(paths.RAW_DIR, target)
    return target


def edit_csv(csv_path: Path, old: str, new: str, *, count: int = 1, keep_checksum=True) -> None:
    """Replace text in a raw CSV; by default re-record its checksum so that the test reaches the
    rule it targets instead of stopping at the checksum."""
    text = csv_path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {csv_path.name}"
    csv_path.write_text(text.replace(old, new, count), encoding="utf-8")
    if keep_checksum:
        update_origin_checksum(csv_path)


@pytest.fixture
def raw_dir(tmp_path) -> Path:
    return copy_raw(tmp_path)


@pytest.fixture
def published(tmp_path) -> Run:
    """A warehouse of its own, published once from a copy of raw/ (tests may break both)."""
    run = materialize_into(copy_raw(tmp_path), tmp_path / "warehouse")
    assert run.result.success
    return run


@pytest.fixture(scope="session")
def shared_snapshot() -> bytes:
    """WJP's published roli.json from ../shared (never copied into the repository)."""
    path = shared_snapshot_path()
    if not path.is_file():
        pytest.fail(f"WJP's snapshot is expected at {path} (../shared beside the repository)")
    return path.read_bytes()


@pytest.fixture(scope="session")
def built(tmp_path_factory, shared_snapshot) -> Run:
    """The real raw files materialized once into a session warehouse (read-only tests), with
    WJP's real snapshot served by a local HTTP server at the pinned checksum."""
    base = tmp_path_factory.mktemp("built")
    with serve({"/roli.json": (200, shared_snapshot, {})}) as url:
        wjp = WjpSnapshotResource(url=f"{url}/roli.json", cache_dir=str(base / "wjp_cache"))
        run = materialize_into(copy_raw(base), base / "warehouse", wjp=wjp)
    assert run.result.success, "the full graph must materialize on the committed raw files"
    return run


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED_TEXT.is_file():
        pytest.fail(f"the paper's text is expected at {SEED_TEXT} (../shared beside the repo)")
    return SEED_TEXT.read_text(encoding="utf-8")
