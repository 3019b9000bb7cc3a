"""Nothing cached is trusted unverified: the parsed tables of a download carry their checksums,
and a copy that fails them (a flipped bit, a truncation, a lost checksum file) is parsed again
from the verified download, with a warning, instead of being loaded.
"""

from __future__ import annotations

import random
import shutil

import pytest

from pipeline.transforms.sources.download_sources import PARSED, PARSED_CHECKSUMS, VDEM, WJP
from pipeline.transforms.sources.read_all import CHECK_CACHE
from tests.harness import copy_raw, run_steps


def contents(steps) -> dict[str, list]:
    return {t.name: steps.query(f"SELECT * FROM raw.{t.name} ORDER BY ALL") for t in WJP.tables}  # noqa: S608


@pytest.fixture(scope="module")
def first_read(tmp_path_factory, source_urls):
    """WJP's file read once (downloaded, parsed, cached) into a module cache."""
    base = tmp_path_factory.mktemp("caches")
    steps = run_steps(copy_raw(base), base, source_urls, models=False, tables=(), fetch=(WJP,))
    return base / "cache", contents(steps)


def parsed_tables(cache):
    (folder,) = (cache / PARSED / WJP.folder).iterdir()
    return folder


def read_offline(tmp_path):
    """The sources step again, offline: only the cache can give the file."""
    raw_dir = tmp_path / "raw" if (tmp_path / "raw").is_dir() else copy_raw(tmp_path)
    steps = run_steps(raw_dir, tmp_path, models=False, tables=(), fetch=(WJP,))
    (outcome,) = [o for o in steps.outcomes if o.asset_key == WJP.asset_name]
    return steps, outcome


def damage(how: str, folder, seed: int) -> None:
    table = sorted(folder.glob("*.parquet"))[0]
    data = bytearray(table.read_bytes())
    if how == "flip":
        bit = random.Random(seed).randrange(len(data) * 8)
        data[bit // 8] ^= 1 << (bit % 8)
        table.write_bytes(bytes(data))
    elif how == "truncate":
        table.write_bytes(bytes(data[: len(data) // 2]))
    else:
        (folder / PARSED_CHECKSUMS).unlink()


@pytest.mark.parametrize(
    ("how", "seed"), [("flip", 1), ("flip", 2), ("flip", 3), ("truncate", 0), ("lost", 0)]
)
def test_a_damaged_parsed_table_is_parsed_again_from_the_verified_file_with_a_warning(
    first_read, tmp_path, how, seed
):
    cache, rows = first_read
    copy = tmp_path / "cache"
    shutil.copytree(cache, copy)
    folder = parsed_tables(copy)
    damage(how, folder, seed)
    steps, outcome = read_offline(tmp_path)
    assert outcome.warnings[CHECK_CACHE].startswith("the cached parsed tables ")
    assert "parsed again from the verified download" in outcome.warnings[CHECK_CACHE]
    assert contents(steps) == rows
    # Repaired: the next read verifies and loads it without a warning.
    steps, outcome = read_offline(tmp_path)
    assert outcome.warnings[CHECK_CACHE] == ""
    assert contents(steps) == rows


def test_an_intact_cache_is_loaded_without_a_warning(first_read, tmp_path):
    cache, rows = first_read
    shutil.copytree(cache, tmp_path / "cache")
    steps, outcome = read_offline(tmp_path)
    assert outcome.metadata["status"] == "available"
    assert outcome.warnings[CHECK_CACHE] == ""
    assert contents(steps) == rows
    assert VDEM.folder not in {p.name for p in (tmp_path / "cache" / PARSED).iterdir()}
