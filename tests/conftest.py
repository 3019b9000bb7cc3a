"""Shared fixtures: a copy of raw/ to break, a tmp_path warehouse, and a real Dagster run.

Tests never touch the repository's warehouse/: every run gets its own folder under tmp_path.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline import paths
from pipeline.defs.resources import RawFilesResource, WarehouseResource
from pipeline.release import WarehouseLayout
from pipeline.transforms.raw_io import update_origin_checksum

SEED_TEXT = paths.SEEDS_DIR / "000_7f6503c546157ee3.txt"


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


def all_assets():
    from pipeline.definitions import ALL_ASSETS

    return ALL_ASSETS


def materialize_into(raw_dir: Path, warehouse_dir: Path, instance=None) -> Run:
    resources = {
        "raw_files": RawFilesResource(root=str(raw_dir)),
        "warehouse": WarehouseResource(root=str(warehouse_dir)),
    }
    result = dg.materialize(
        all_assets(),
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
def built(tmp_path_factory) -> Run:
    """The real raw files materialized once into a session warehouse (read-only tests)."""
    base = tmp_path_factory.mktemp("built")
    run = materialize_into(copy_raw(base), base / "warehouse")
    assert run.result.success, "the full graph must materialize on the committed raw files"
    return run


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED_TEXT.is_file():
        pytest.fail(f"the paper's text is expected at {SEED_TEXT} (../shared beside the repo)")
    return SEED_TEXT.read_text(encoding="utf-8")
