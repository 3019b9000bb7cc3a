"""Published releases are verifiable, and verified: each manifest lists every file of its release
with its sha256; a build never starts from a damaged release, nor compares with one; the guard
compares with the last release that verifies even when `current` is gone; releases are kept in
publish order; `rollback` points `current` at the previous good release.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time

import pytest

from pipeline import integrity, release
from tests.harness import Run, cli_env, copy_run, materialize, run_cli


def flip_bit(path, at: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    data[int(len(data) * at)] ^= 0x01
    path.write_bytes(bytes(data))


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_release_lists_every_file_it_holds_and_verifies(published: Run):
    current = published.layout.current_release()
    manifest = release.read_manifest(current)
    files = {p.relative_to(current).as_posix() for p in current.rglob("*") if p.is_file()}
    assert set(manifest["files"]) == files - {"manifest.json"}
    assert {"warehouse.duckdb", "exports/datapackage.json", "reports/summary.html"} <= files
    assert manifest["sequence"] >= 1
    assert integrity.damage(current) == []


@pytest.mark.parametrize(
    "damaged", ["warehouse.duckdb", "exports/countries.parquet", "reports/summary.html"]
)
def test_each_damaged_file_is_named(published: Run, damaged):
    current = published.layout.current_release()
    flip_bit(current / damaged)
    (problem,) = integrity.damage(current)
    assert problem.startswith(f"{damaged}: sha256 ")
    (current / damaged).unlink()
    assert integrity.damage(current) == [f"{damaged}: missing"]


def test_a_build_never_starts_from_a_damaged_release_and_publishes_the_same_bytes(
    published: Run,
):
    """A truncated export in `current`: the refresh starts from nothing (no other release
    verifies), rebuilds it, and the new release holds the export as it was before the damage."""
    current = published.layout.current_release()
    export = current / "exports" / "countries.parquet"
    before = sha(export)
    export.write_bytes(export.read_bytes()[:100])
    again = materialize(published.raw_dir, published.warehouse_dir.parent)
    assert again.result.success, again.failed_checks()
    new = published.layout.current_release()
    assert new != current and integrity.damage(new) == []
    assert sha(new / "exports" / "countries.parquet") == before


def test_with_current_deleted_a_failing_download_cannot_shrink_the_warehouse(built: Run, tmp_path):
    """`current` deleted, the download cache gone, the network down: the guard compares with
    the newest release in the history that verifies, so losing WJP and V-Dem is refused."""
    copy = copy_run(built, tmp_path)
    shutil.rmtree(tmp_path / "cache", ignore_errors=True)
    copy.layout.current_link.unlink()
    releases = copy.layout.releases()
    offline = materialize(copy.raw_dir, tmp_path)
    assert not offline.result.success
    failure = "\n".join(
        e.step_failure_data.error.message for e in offline.result.get_step_failure_events()
    )
    assert "Release guard: nothing was published." in failure
    assert copy.layout.releases() == releases
    assert not copy.layout.current_link.is_symlink()


def test_rollback_points_current_at_the_previous_release_that_verifies(published: Run):
    first = published.layout.current_release()
    again = materialize(published.raw_dir, published.warehouse_dir.parent)
    assert again.result.success
    second = published.layout.current_release()
    assert second != first
    flip_bit(second / "warehouse.duckdb")
    assert integrity.last_good(published.layout).path == first
    said = integrity.rollback(published.layout)
    assert said == f"current now points at release {first.name} (was {second.name})"
    assert published.layout.current_release() == first
    assert (published.warehouse_dir / "warehouse.duckdb").resolve() == first / "warehouse.duckdb"
    with pytest.raises(LookupError, match="no earlier release verifies"):
        integrity.rollback(published.layout)


def test_releases_are_kept_in_publish_order_and_unpublished_folders_are_not_releases(tmp_path):
    """Release ids start with the clock's time; a clock set back must not make the newest
    release look oldest. A folder without a manifest was never published."""
    layout = release.WarehouseLayout(tmp_path)
    names = ["20301231T000000000000Z-a", "20010101T000000000000Z-b", "20150101T000000000000Z-c"]
    for sequence, name in enumerate(names, start=1):
        folder = layout.releases_dir / name
        folder.mkdir(parents=True)
        (folder / "manifest.json").write_text(json.dumps({"sequence": sequence}))
    (layout.releases_dir / "00000000T-never-published").mkdir()
    assert [r.name for r in layout.releases()] == names
    release.point_current(layout, layout.releases_dir / names[-1])
    release.prune_releases(layout, keep=2)
    assert [r.name for r in layout.releases()] == names[1:]


def cli(published: Run, tmp_path, *args: str) -> subprocess.CompletedProcess:
    return run_cli(cli_env(published, tmp_path / "dagster home"), *args)


def test_the_cli_verifies_before_a_no_op_and_rebuilds_a_damaged_release(published: Run, tmp_path):
    """`verify` names the damaged file; `make run` with nothing changed does not answer "Nothing
    changed" from a damaged release: it says so first, rebuilds, and the new release verifies.
    `rollback` then has no earlier release that verifies, and says so."""
    damaged = published.layout.current_release()
    assert cli(published, tmp_path, "verify").returncode == 0
    flip_bit(damaged / "exports" / "funding.parquet")
    verify = cli(published, tmp_path, "verify")
    assert verify.returncode == 1
    assert "  exports/funding.parquet: sha256 " in verify.stderr
    refresh = cli(published, tmp_path, "refresh")
    assert refresh.returncode == 0, refresh.stdout + refresh.stderr
    first = refresh.stdout.splitlines()[0]
    assert first.startswith(f"release {damaged.name} is damaged: exports/funding.parquet: ")
    assert "Nothing changed" not in refresh.stdout
    assert published.layout.current_release() != damaged
    assert cli(published, tmp_path, "verify").returncode == 0
    rollback = cli(published, tmp_path, "rollback")
    assert rollback.returncode == 1
    assert "no earlier release verifies" in rollback.stderr


def test_a_clock_earlier_than_the_newest_raw_file_is_named_and_nothing_is_built(published: Run):
    """A raw file dated ten years ahead stands for a clock set back by ten years: the refresh
    says it is the clock, in one line, before any date rule reads today's date."""
    releases = published.layout.releases()
    ahead = time.time() + 10 * 365 * 24 * 3600
    os.utime(published.raw_dir / "reference" / "sources.csv", (ahead, ahead))
    run = materialize(published.raw_dir, published.warehouse_dir.parent)
    assert not run.result.success
    (failure,) = run.result.get_step_failure_events()
    message = failure.step_failure_data.error.message
    assert "The system clock reads " in message
    assert "earlier than the raw file reference/sources.csv" in message
    assert "not in the future" not in message
    assert published.layout.releases() == releases
