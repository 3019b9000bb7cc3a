"""Shared fixtures: a copy of raw/ to break, WJP's and V-Dem's files served by a local HTTP
server, and two refreshes made once per session that many tests read (`built`, with the real
downloads) or copy (`offline_release`, through `published`), and the xdist group of each test.
Each test process collects garbage as the CLI does (pipeline/cli.py: fewer collections, and what
collection loaded frozen out of them).
The helpers they use are in tests/harness.py, imported where a fixture runs: the xdist
controller, which loads this file too, never imports Dagster, and of the pipeline only the CLI's
light module (its garbage-collection thresholds).
"""

from __future__ import annotations

import gc
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests import published_files
from tests.wjp_server import serve

if TYPE_CHECKING:
    from tests.harness import Run

# The session builds that tests in several modules read: each is made once, on the worker that
# runs its group.
SESSION_BUILDS = ("built", "offline_release")


def harness():
    """tests/harness.py, imported when a fixture first runs (on a worker, never the controller)."""
    from tests import harness

    return harness


@pytest.fixture
def raw_dir(tmp_path) -> Path:
    return harness().copy_raw(tmp_path)


@pytest.fixture(scope="session")
def wjp_file() -> bytes:
    """WJP's published roli.json, obtained as the pipeline does (tests/published_files.py)."""
    return published_files.download("wjp_roli")


@pytest.fixture(scope="session")
def vdem_file() -> bytes:
    """V-Dem's published ert.csv, obtained as the pipeline does (tests/published_files.py)."""
    return published_files.download("vdem_ert")


@pytest.fixture(scope="session")
def source_urls(wjp_file, vdem_file):
    """The real WJP and V-Dem files, served by a local HTTP server for the whole session."""
    routes = {"/roli.json": (200, wjp_file, {}), "/ert.csv": (200, vdem_file, {})}
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
    """The paper's extracted text (`PAPER_TEXT`); its tests are skipped without it."""
    return published_files.paper_text()


def pytest_configure(config) -> None:
    from pipeline.cli import GC_THRESHOLDS  # a light module: argparse and the console's words

    gc.set_threshold(*GC_THRESHOLDS)


def pytest_collection_finish(session) -> None:
    """The test modules, the project's and its libraries' modules live until the process ends:
    full collections need not scan them again (each worker's heap holds Dagster's definitions
    and the test modules)."""
    gc.freeze()


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook turns the marks into groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test's xdist group, as stock `--dist loadgroup` reads it (`make test`): a test that
    reads a session build joins that build's group, so the build is made once; every other
    test stays with its module, so module fixtures are made once too. A module may join a group
    whole with `pytestmark = pytest.mark.xdist_group(name)`, which this leaves as it is.
    Then the groups are put in the order xdist hands them out (`--no-loadscope-reorder` keeps
    it): those with a test marked `long_waits` first, then the others, most tests first (xdist's
    own order). Such a module, handed out among the last, ran for a minute and a half on one
    worker after the others had finished."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            builds = [name for name in SESSION_BUILDS if name in item.fixturenames]
            group = builds[0] if builds else item.nodeid.split("::", 1)[0]
            item.add_marker(pytest.mark.xdist_group(group))
    groups = [_group(item.get_closest_marker("xdist_group")) for item in items]
    sizes = Counter(groups)
    waits = {g for g, i in zip(groups, items, strict=True) if i.get_closest_marker("long_waits")}
    rank = {g: (g not in waits, -sizes[g], n) for n, g in enumerate(dict.fromkeys(groups))}
    order = sorted(range(len(items)), key=lambda i: rank[groups[i]])  # stable within a group
    items[:] = [items[i] for i in order]


def _group(marker: pytest.Mark) -> str:
    return marker.kwargs.get("name", marker.args[0] if marker.args else "")


def pytest_terminal_summary(terminalreporter):
    """One line per reason tests were skipped (`-r` lists skips by location instead), so a run
    without the paper's text ends by saying how to give it."""
    reasons: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        reason = str(report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        reasons[reason] = reasons.get(reason, 0) + 1
    for reason, count in reasons.items():
        terminalreporter.write_line(f"{count} skipped: {reason}")
