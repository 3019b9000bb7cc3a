"""A no-op stays a no-op while a download keeps failing: a run that publishes only if the data
changes (`make run` without --force, the schedule, the sensor) retries a download the release
lacks, and when it is still unavailable, publishes nothing and says so; when it comes back,
the run publishes it.
"""

from __future__ import annotations

import dagster as dg

from pipeline.defs.assets.refresh import IF_CHANGED_TAG
from pipeline.release import read_manifest
from tests.harness import UNREACHABLE_URL, Run, cli_env, materialize, run_cli

DOWNLOADS = {"raw_wjp__roli", "raw_vdem__ert"}


def observations(result: dg.ExecuteInProcessResult) -> dict[str, str]:
    found = {}
    for event in result.all_events:
        if event.event_type_value == "ASSET_OBSERVATION":
            observation = event.event_specific_data.asset_observation
            found[observation.asset_key.to_user_string()] = observation.metadata["reason"].value
    return found


def test_offline_a_second_make_run_publishes_nothing_and_names_each_download_still_missing(
    published: Run, tmp_path
):
    """The release was made offline; `make run` (the real CLI, in another process) retries the
    downloads, they fail the same way, and the release stays current: one release, not two."""
    releases_before = sorted(p.name for p in published.layout.releases())
    done = run_cli(cli_env(published, tmp_path / "dagster home"), "refresh")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"Nothing changed since release {releases_before[-1]}")
    for key in DOWNLOADS:
        assert [line for line in lines if line.startswith(f"  {key}: still unavailable: ")]
    assert sorted(p.name for p in published.layout.releases()) == releases_before
    assert not list(published.layout.builds_dir.glob("*")), "the unused build folder is removed"


def test_a_run_that_asks_for_changes_publishes_a_download_once_it_is_back(
    published: Run, source_urls
):
    """Through Dagster: offline, the run succeeds with one observation per download and no
    materialization (the UI keeps the published state); once the files are served, the same
    kind of run publishes them."""
    base = published.warehouse_dir.parent
    current = read_manifest(published.layout.current_release())["release_id"]
    tags = {IF_CHANGED_TAG: "true"}

    offline = materialize(published.raw_dir, base, tags=tags)
    assert offline.result.success
    assert not offline.result.get_asset_materialization_events()
    assert set(observations(offline.result)) == DOWNLOADS
    assert all(UNREACHABLE_URL in reason for reason in observations(offline.result).values())
    assert read_manifest(published.layout.current_release())["release_id"] == current

    online = materialize(published.raw_dir, base, dict(source_urls), tags=tags)
    assert online.result.success, online.failed_checks()
    keys = {e.asset_key.to_user_string() for e in online.result.get_asset_materialization_events()}
    assert DOWNLOADS <= keys
    manifest = read_manifest(published.layout.current_release())
    assert manifest["release_id"] != current
    assert {manifest["assets"][key]["status"] for key in DOWNLOADS} == {"loaded"}
