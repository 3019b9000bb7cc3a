"""What a user relies on when a refresh would lose data: the release guard, the download's
fallback to the last good copy, and the CLI that says what happened, through real refreshes.

1. A warehouse is published with WJP's and V-Dem's files (WJP's rows in three marts).
2. WJP's copies are removed from the download cache and the network is down: the refresh runs
   (V-Dem from its cached copy), but publishing would drop every WJP row, so the guard refuses
   it, naming the source and the counts; the published state stays byte for byte.
3. The user accepts it (--allow-shrink wjp_roli, the tag the CLI sets): it is published, and
   the manifest and the report record the acceptance.

And the guard on row counts alone: several ids in one flag, every removed source at once
(`removed-sources`), and an id that names no source refused, never ignored.
"""

from __future__ import annotations

import hashlib
import shutil

import pytest

from pipeline.defs.assets.publish import ALLOW_SHRINK_TAG, allowed_shrinks
from pipeline.release import read_manifest
from pipeline.transforms.publish.release_state import allowed_ids, guard
from tests.harness import Run, copy_run, materialize


def published_bytes(run: Run) -> dict[str, str]:
    root = run.layout.root
    files = [
        run.layout.published_db,
        *sorted((root / "exports").rglob("*.*")),
        *sorted((root / "reports").rglob("*.*")),
    ]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture
def with_wjp(built, tmp_path) -> Run:
    """A copy of the session's release, built with WJP's and V-Dem's files."""
    return copy_run(built, tmp_path)


WJP_MARTS = ("coverage", "indicators", "wjp_rank_comparison")  # the marts with WJP's rows


def wjp_rows(run: Run) -> dict[str, int]:
    return {
        mart: run.query(f"SELECT count(*) FROM marts.{mart} WHERE source_id = 'wjp_roli'")[0][0]  # noqa: S608
        for mart in WJP_MARTS
    }


def test_losing_a_source_is_refused_then_published_once_accepted(with_wjp):
    base = with_wjp.warehouse_dir.parent
    before, release = published_bytes(with_wjp), with_wjp.layout.current_release()
    had = wjp_rows(with_wjp)
    assert all(had.values()), had
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
        f"marts.indicators: rows of source 'wjp_roli' disappeared ({had['indicators']:,} in the "
        "current release, 0 now)" in message
    )
    assert "--allow-shrink SOURCE" in message
    assert with_wjp.layout.current_release() == release
    assert published_bytes(with_wjp) == before

    accepted = materialize(with_wjp.raw_dir, base, tags={ALLOW_SHRINK_TAG: "wjp_roli"})
    assert accepted.result.success, accepted.failed_checks()
    manifest = read_manifest(with_wjp.layout.current_release())
    has = wjp_rows(accepted)
    # Every WJP row is gone but coverage's, whose rows now say the source is unavailable.
    assert has["indicators"] == has["wjp_rank_comparison"] == 0 < has["coverage"]
    coverage_shrink = (had["coverage"] - has["coverage"]) / had["coverage"]
    assert manifest["accepted_shrinks"] == [
        f"marts.coverage: rows of source 'wjp_roli' shrank by {coverage_shrink:.0%} "
        f"({had['coverage']:,} in the current release, {has['coverage']:,} now)",
        *(
            f"marts.{mart}: rows of source 'wjp_roli' disappeared ({had[mart]:,} in the current "
            "release, 0 now)"
            for mart in ("indicators", "wjp_rank_comparison")
        ),
    ]
    report = (with_wjp.layout.root / "reports" / "summary.md").read_text(encoding="utf-8")
    report = report.replace("\\_", "_")  # Markdown escapes the underscores of names
    assert (
        "Accepted by the user for this release (refresh --allow-shrink): marts.coverage: rows "
        "of source 'wjp_roli'" in report
    )
    changes = accepted.query(
        "SELECT rows_before, rows_now, rows_removed FROM marts.release_changes "
        "WHERE mart = 'indicators'"
    )
    assert changes[0][2] >= had["indicators"] and changes[0][1] < changes[0][0]


# --- the guard on row counts ---------------------------------------------------------------------

# Row counts of a release with WJP, V-Dem, the paper's tables and 100 added long-format sources
# (made up; the messages expected below are read from them).
ADDED = [f"src_{n:03}" for n in range(100)]
BEFORE = {
    "indicators": {"paper_table1": 48, "wjp_roli": 50_000, "vdem_ert": 80_000}
    | dict.fromkeys(ADDED, 10),
    "coverage": {"paper_table1": 5, "wjp_roli": 5, "vdem_ert": 5} | dict.fromkeys(ADDED, 3),
    "errata": {"(all)": 17},
}


def without(counts: dict, *sources: str, **changed: int) -> dict:
    return {
        mart: {s: changed.get(s, n) for s, n in by_source.items() if s not in sources}
        for mart, by_source in counts.items()
    }


def test_removing_a_hundred_added_sources_is_accepted_with_one_id():
    now = without(BEFORE, *ADDED)
    blocked, accepted = guard(BEFORE, now, set())
    assert len(blocked) == 200 and accepted == []
    blocked, accepted = guard(BEFORE, now, {"removed-sources"})
    assert blocked == [] and len(accepted) == 200


def test_removed_sources_does_not_accept_a_source_that_keeps_rows_somewhere():
    """A failed download loses its rows in marts.indicators but keeps them in marts.coverage
    (where it is 'source unavailable'): it is not removed, and must be named."""
    now = without(BEFORE, "src_000")  # src_000 is gone from every mart
    now["indicators"].pop("wjp_roli")
    blocked, accepted = guard(BEFORE, now, {"removed-sources"})
    assert blocked == [
        f"marts.indicators: rows of source 'wjp_roli' disappeared "
        f"({BEFORE['indicators']['wjp_roli']:,} in the current release, 0 now)"
    ]
    assert [a.split("'")[1] for a in accepted] == ["src_000", "src_000"]
    assert guard(BEFORE, now, {"removed-sources", "wjp_roli"})[0] == []


def test_several_ids_in_one_flag_or_the_flag_repeated():
    assert allowed_ids(["wjp_roli,vdem_ert", " src_001 ", "wjp_roli", ","]) == [
        "wjp_roli",
        "vdem_ert",
        "src_001",
    ]
    assert allowed_shrinks({ALLOW_SHRINK_TAG: "wjp_roli,vdem_ert"}) == {"wjp_roli", "vdem_ert"}
    now = without(BEFORE, "wjp_roli", "vdem_ert")
    assert guard(BEFORE, now, {"wjp_roli", "vdem_ert"})[0] == []
    assert guard(BEFORE, now, {"indicators.wjp_roli", "coverage.wjp_roli", "vdem_ert"})[0] == []
    assert guard(BEFORE, now, {"indicators.wjp_roli", "vdem_ert"})[0] == [
        "marts.coverage: rows of source 'wjp_roli' disappeared (5 in the current release, 0 now)"
    ]


def test_an_id_that_names_no_source_blocks_the_publish_in_one_line():
    """The tag set in the UI is checked at the guard (the CLI checks before the build)."""
    now = without(BEFORE, "wjp_roli")
    blocked, accepted = guard(BEFORE, now, {"wjp_rol", "vdem_ert"})
    assert accepted == []
    assert blocked == [
        "--allow-shrink: unknown source 'wjp_rol' (did you mean 'wjp_roli'?); the sources that "
        "shrink in this refresh: wjp_roli (or mart.source_id, or removed-sources for every "
        "source whose rows are gone from every mart)"
    ]
    assert guard(BEFORE, BEFORE, {"indicators.nope"})[0][0].startswith(
        "--allow-shrink: unknown source 'indicators.nope'; the sources that shrink in this "
        "refresh: none"
    )
