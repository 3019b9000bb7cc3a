"""Shared fixtures: a copy of raw/ to break, WJP's and V-Dem's files served by a local HTTP
server, and two refreshes made once per session that many tests read (`built`, with the real
downloads) or copy (`offline_release`, through `published`). The helpers they use are in
tests/harness.py, imported where a fixture runs: the xdist controller, which loads this file
too, never imports Dagster or the pipeline.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.wjp_server import serve, shared_snapshot_path

if TYPE_CHECKING:
    from tests.harness import Run

pytest_plugins = ["tests.xdist_groups"]


def harness():
    """tests/harness.py, imported when a fixture first runs (on a worker, never the controller)."""
    from tests import harness

    return harness


@pytest.fixture
def raw_dir(tmp_path) -> Path:
    return harness().copy_raw(tmp_path)


@pytest.fixture(scope="session")
def shared_snapshot() -> bytes:
    """WJP's published roli.json from ../shared (never copied into the repository)."""
    path = shared_snapshot_path()
    if not path.is_file():
        pytest.fail(f"WJP's snapshot is expected at {path} (../shared beside the repository)")
    return path.read_bytes()


@pytest.fixture(scope="session")
def shared_vdem() -> bytes:
    """V-Dem's published ert.csv from ../shared (never copied into the repository)."""
    path = harness().SHARED_DATA / "vdem" / "ert.csv"
    if not path.is_file():
        pytest.fail(f"V-Dem's ERT file is expected at {path} (../shared beside the repository)")
    return path.read_bytes()


@pytest.fixture(scope="session")
def source_urls(shared_snapshot, shared_vdem):
    """The real WJP and V-Dem files, served by a local HTTP server for the whole session."""
    routes = {"/roli.json": (200, shared_snapshot, {}), "/ert.csv": (200, shared_vdem, {})}
    with serve(routes) as url:
        yield {"wjp_roli": f"{url}/roli.json", "vdem_ert": f"{url}/ert.csv"}


@pytest.fixture(scope="session")
def snapshot_url(source_urls) -> str:
    return source_urls["wjp_roli"]


@pytest.fixture(scope="session")
def built(tmp_path_factory, source_urls) -> Run:
    """The committed raw files refreshed once into a session warehouse (read-only tests), with
    WJP's and V-Dem's real files served locally at their pinned checksums."""
    base = tmp_path_factory.mktemp("built")
    run = harness().materialize(harness().copy_raw(base), base, dict(source_urls))
    assert run.result.success, run.failed_checks()
    return run


@pytest.fixture(scope="session")
def offline_release(tmp_path_factory) -> Run:
    """The committed raw files, with every odd but legitimate value of the bad-input corpus
    (tests/bad_inputs.py: markup, quotes, SQL-looking text), refreshed once (offline) into a
    session warehouse: the release that `published` copies. Never written to: tests change
    their copies."""
    from tests.bad_inputs import ACCEPTED, apply

    base = tmp_path_factory.mktemp("offline_release")
    raw_dir = harness().copy_raw(base)
    for case in ACCEPTED:
        apply(case, raw_dir)
    run = harness().materialize(raw_dir, base)
    assert run.result.success, run.failed_checks()
    return run


@pytest.fixture
def published(offline_release, tmp_path) -> Run:
    """A published warehouse of the test's own, with its raw folder: a copy of the session's
    offline release, which the test may change and refresh again."""
    return harness().copy_run(offline_release, tmp_path)


@pytest.fixture(scope="session")
def seed_text() -> str:
    path = harness().SEED_TEXT
    if not path.is_file():
        pytest.fail(f"the paper's text is expected at {path} (../shared beside the repo)")
    return path.read_text(encoding="utf-8")
