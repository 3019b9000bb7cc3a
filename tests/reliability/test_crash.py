"""Crash safety: SIGKILL the real refresh at random moments across the whole run. After each
kill the warehouse shows the last good state or the new one, never a mix, and the next refresh
needs no cleanup."""

from __future__ import annotations

import os
import random
import subprocess
import time

from tests.reliability.cli_harness import kill_group, make_sandbox, published_state, set_variant

KILLS = int(os.environ.get("CRASH_KILLS", "24"))
SEED = int(os.environ.get("CRASH_SEED", "20261127"))


def test_sigkill_at_random_points_never_leaves_a_mixed_or_broken_warehouse(tmp_path):
    sandbox = make_sandbox(tmp_path)
    variants = {"B": set_variant(sandbox, "B")}
    # A first, untimed refresh warms the caches (imports, the download cache), so that the timed
    # one below lasts as long as the refreshes the kills will interrupt.
    assert sandbox.refresh().returncode == 0
    variants["A"] = set_variant(sandbox, "A")
    build_starts, build_ends, full_run, output = _timed_refresh(sandbox)
    assert output.returncode == 0, output.stdout
    good = published_state(sandbox.layout)
    assert good == variants["A"]

    rng = random.Random(SEED)
    kept, published, during_build = 0, 0, 0
    for kill in range(KILLS):
        target = set_variant(sandbox, "B" if good == variants["A"] else "A")
        # Half the kills anywhere in the run (start-up and the reporting after the publish
        # included), half while the build folder exists (from its start to the publish).
        low, high = (0.0, full_run * 1.05) if kill % 2 == 0 else (build_starts, build_ends)
        delay = rng.uniform(low, high)
        builds_before = _build_dirs(sandbox)
        process = sandbox.start_refresh()
        time.sleep(delay)
        building = bool(_build_dirs(sandbox) - builds_before) and process.poll() is None
        kill_group(process)
        state = published_state(sandbox.layout)
        assert state in (good, target), f"kill {kill} after {delay:.2f}s: unknown state"
        published += state == target
        kept += state == good
        during_build += building
        good = state
    print(
        f"\n{KILLS} kills over a {full_run:.1f}s run, build from {build_starts:.1f}s "
        f"to {build_ends:.1f}s "
        f"(seed {SEED}): {kept} kept the last "
        f"good state, {published} published the new one; {during_build} hit a build "
        "in progress"
    )
    # The kills must have landed inside the run, not only before it started or after it ended.
    assert during_build >= KILLS // 4
    assert kept >= 5

    target = set_variant(sandbox, "B" if good == variants["A"] else "A")
    final = sandbox.refresh()
    assert final.returncode == 0, final.stdout
    assert published_state(sandbox.layout) == target
    assert len(sandbox.layout.releases()) <= 2


def _timed_refresh(sandbox):
    """(seconds until the build folder appears, seconds until it is published, seconds of the
    whole run, completed process)."""
    started = time.monotonic()
    before = _build_dirs(sandbox)
    process = sandbox.start_refresh()
    build_starts = build_ends = None
    while process.poll() is None:
        building = bool(_build_dirs(sandbox) - before)
        if build_starts is None and building:
            build_starts = time.monotonic() - started
        if build_starts is not None and build_ends is None and not building:
            build_ends = time.monotonic() - started
        time.sleep(0.02)
    full_run = time.monotonic() - started
    output, _ = process.communicate()
    return (
        build_starts or 0.0,
        build_ends or full_run,
        full_run,
        subprocess.CompletedProcess(process.args, process.returncode, output),
    )


def _build_dirs(sandbox) -> set:
    builds = sandbox.layout.builds_dir
    return set(builds.iterdir()) if builds.is_dir() else set()
