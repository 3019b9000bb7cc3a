"""What a user relies on when a refresh would lose data: the release guard, the download's
fallback to the last good copy, and the CLI that says what happened, through real refreshes.

1. A warehouse is published with WJP's and V-Dem's files (53,625 WJP rows in marts.indicators).
2. WJP's copies are removed from the download cache and the network is down: the refresh runs
   (V-Dem from its cached copy), but publishing would drop every WJP row, so the guard refuses
   it, naming the source and the counts; the published state stays byte for byte.
3. The user accepts it (--allow-shrink wjp_roli, the tag the CLI sets): it is published, and
   the manifest and the report record the acceptance.
"""

from __future__ import annotations

import hashlib
import shutil

import pytest

from pipeline.defs.assets.publish import ALLOW_SHRINK_TAG
from pipeline.release import read_manifest
from tests.harness import Run, copy_run, materialize


def published_bytes(run: Run) -> dict[str, str]:
    root = run.layout.root
    files = [
        run.layout.published_db,
        *sorted((root / "exports").glob("*")),
        *sorted((root / "reports").rglob("*.*")),
    ]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture
def with_wjp(built, tmp_path) -> Run:
    """A copy of the session's release, built with WJP's and V-Dem's files."""
    return copy_run(built, tmp_path)


def test_losing_a_source_is_refused_then_published_once_accepted(with_wjp):
    base = with_wjp.warehouse_dir.parent
    before, release = published_bytes(with_wjp), with_wjp.layout.current_release()
    assert with_wjp.query("SELECT count(*) FROM marts.indicators WHERE source_id = 'wjp_roli'") == [
        (53_625,)
    ]
    # The network is down (offline default) and WJP's copies are gone from the cache; V-Dem's
    # file is still there, so WJP alone is lost.
    for cached in (base / "cache" / "wjp", base / "cache" / "parsed" / "wjp"):
        shutil.rmtree(cached)

    refused = materialize(with_wjp.raw_dir, base)
    assert not refused.result.success
    (failure,) = refused.result.get_step_failure_events()
    assert refused.result.get_asset_materialization_events() == [], "nothing was published"
    message = failure.step_failure_data.error.message
    assert "Release guard: nothing was published." in message
    assert (
        "marts.indicators: rows of source 'wjp_roli' disappeared (53,625 in the current release, "
        "0 now)" in message
    )
    assert "--allow-shrink SOURCE" in message
    assert with_wjp.layout.current_release() == release
    assert published_bytes(with_wjp) == before

    accepted = materialize(with_wjp.raw_dir, base, tags={ALLOW_SHRINK_TAG: "wjp_roli"})
    assert accepted.result.success, accepted.failed_checks()
    manifest = read_manifest(with_wjp.layout.current_release())
    assert manifest["accepted_shrinks"] == [
        "marts.coverage: rows of source 'wjp_roli' shrank by 97% (145 in the current release, "
        "5 now)",
        "marts.indicators: rows of source 'wjp_roli' disappeared (53,625 in the current "
        "release, 0 now)",
        "marts.wjp_rank_comparison: rows of source 'wjp_roli' disappeared (3,861 in the "
        "current release, 0 now)",
    ]
    report = (with_wjp.layout.root / "reports" / "summary.md").read_text(encoding="utf-8")
    assert (
        "Accepted by the user for this release (refresh --allow-shrink): marts.coverage: rows "
        "of source 'wjp_roli'" in report
    )
    changes = accepted.query(
        "SELECT rows_before, rows_now, rows_removed FROM marts.release_changes "
        "WHERE mart = 'indicators'"
    )
    assert changes[0][2] >= 53_625 and changes[0][1] < changes[0][0]
