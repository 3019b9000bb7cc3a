"""A full disk, with the real CLI: checked before a build starts, and met during one. The last
release stays intact and verifies, no failed build is left behind, the message names the disk,
and the next run succeeds once space is free again. The project lives on a small tmpfs whose
path has spaces (skipped, with the reason, where mounting is not allowed).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time

import pytest

from pipeline import integrity
from pipeline.instance import write_instance_file
from tests.reliability.cli_harness import Sandbox, make_sandbox, set_variant

CHUNK = b"\0" * (1024 * 1024)


@pytest.fixture
def small_disk(tmp_path):
    mount = tmp_path / "small disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"a tmpfs cannot be mounted here ({done.stderr.strip()}): needs root")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


class OnSmallDisk(Sandbox):
    """The project on the small disk; Dagster's instance elsewhere (its own disk's faults are
    another test's)."""

    def env(self) -> dict[str, str]:
        env = super().env()
        home = self.root.parent / "dagster home"
        home.mkdir(exist_ok=True)
        write_instance_file(home)
        return {**env, "DAGSTER_HOME": str(home)}


def fill(mount, leave: int) -> None:
    """Fill the disk until `leave` bytes are free (0: until it refuses)."""
    with open(mount / f"filler {time.monotonic_ns()}", "wb") as filler:
        try:
            while shutil.disk_usage(mount).free > leave + len(CHUNK):
                filler.write(CHUNK)
                filler.flush()
            if not leave:
                while True:
                    filler.write(CHUNK[:4096])
                    filler.flush()
        except OSError:
            pass


def free_again(mount) -> None:
    for filler in mount.glob("filler *"):
        filler.unlink()


def assert_release_intact(sandbox: Sandbox, releases: list) -> None:
    assert sandbox.layout.releases() == releases
    assert integrity.damage(sandbox.layout.current_release()) == []
    builds = sandbox.layout.builds_dir
    assert not builds.is_dir() or not list(builds.iterdir()), "no failed build is kept"


def test_a_build_is_refused_before_it_starts_when_space_is_short(small_disk):
    sandbox = OnSmallDisk(make_sandbox(small_disk).root)
    assert sandbox.refresh().returncode == 0
    releases = sandbox.layout.releases()
    set_variant(sandbox, "B")
    fill(small_disk, leave=30 * 1024 * 1024)
    refused = sandbox.refresh()
    assert refused.returncode == 1, refused.stdout
    assert f"Not enough free space on the disk of {sandbox.warehouse_dir}: " in refused.stdout
    assert "Traceback" not in refused.stdout
    assert_release_intact(sandbox, releases)
    free_again(small_disk)
    assert sandbox.refresh().returncode == 0
    assert len(sandbox.layout.releases()) == len(releases) + 1


def test_a_disk_that_fills_during_a_build_keeps_the_release_and_leaves_no_build(small_disk):
    sandbox = OnSmallDisk(make_sandbox(small_disk).root)
    assert sandbox.refresh().returncode == 0
    releases = sandbox.layout.releases()
    set_variant(sandbox, "B")
    fill(small_disk, leave=70 * 1024 * 1024)  # enough for the check before the build

    def fill_once_the_build_starts():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if sandbox.layout.builds_dir.is_dir() and any(sandbox.layout.builds_dir.iterdir()):
                fill(small_disk, leave=0)
                return
            time.sleep(0.002)

    filler = threading.Thread(target=fill_once_the_build_starts)
    filler.start()
    failed = sandbox.refresh()
    filler.join()
    assert failed.returncode == 1, failed.stdout
    assert f"the disk of {sandbox.warehouse_dir} is full" in failed.stdout
    assert "Traceback" not in failed.stdout
    assert_release_intact(sandbox, releases)
    free_again(small_disk)
    assert sandbox.refresh().returncode == 0
    assert len(sandbox.layout.releases()) == len(releases) + 1
