"""Test groups for pytest-xdist: each test runs on the worker of its group (`make test` runs
`-n 2 --dist loadgroup`), so a session build that tests in several modules read is built once.

A test reading one of SESSION_BUILDS joins that build's group; every other test is grouped by
its module, as --dist loadscope would (module fixtures are built once), unless its module joins
a group whole with `pytestmark = pytest.mark.xdist_group(name)`.

Why a scheduler of our own: xdist 3.8's loadgroup tells the controller a test's group by
appending "@group" to the test's nodeid on the worker, and pytest 9.2 no longer lets a plugin
change a nodeid, so every test would land in a group of its own. Here each worker writes the
groups it collected to a file named by the run's uid, and the controller's scheduler (xdist's
own loadgroup scheduler) reads them instead of parsing nodeids.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

SESSION_BUILDS = ("built", "offline_release")


def group_of(item: pytest.Item) -> str:
    """The group an xdist_group mark names (a module can join a build's group whole, so that
    its module fixtures are built once), else the session build the test reads, else its
    module."""
    marked = item.get_closest_marker("xdist_group")
    if marked is not None:
        return marked.args[0]
    used = [name for name in SESSION_BUILDS if name in item.fixturenames]
    return used[0] if used else item.module.__name__


def _groups_file(testrunuid: str, worker: str) -> Path:
    return Path(tempfile.gettempdir()) / f"pytest-groups-{testrunuid}-{worker}.json"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is None:
        return
    path = _groups_file(workerinput["testrunuid"], workerinput["workerid"])
    temporary = path.with_suffix(f".{os.getpid()}.tmp")
    temporary.write_text(json.dumps({item.nodeid: group_of(item) for item in items}))
    temporary.replace(path)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class FileGroupScheduling(LoadGroupScheduling):
        def __init__(self, config, log=None) -> None:
            super().__init__(config, log)
            self.groups: dict[str, str] = {}
            self.ordered = False

        def add_node_collection(self, node, collection) -> None:
            """Each worker's collection comes after it wrote its groups (read, then removed)."""
            path = _groups_file(node.workerinput["testrunuid"], node.workerinput["workerid"])
            self.groups = self.groups | json.loads(path.read_text())
            path.unlink()
            super().add_node_collection(node, collection)

        def _split_scope(self, nodeid: str) -> str:
            return self.groups.get(nodeid, nodeid.split("::", 1)[0])

        def _assign_work_unit(self, node) -> None:
            """Hand out the session builds' groups first (the largest), then the groups with
            the fewest tests: those are the modules whose few tests each drive another process
            (make dev, Chromium, the CLI), and groups of many quick unit tests are left to even
            out the end."""
            if not self.ordered:
                first = [g for g in SESSION_BUILDS if g in self.workqueue]
                rest = sorted((g for g in self.workqueue if g not in first), key=self._size)
                for group in [*first, *rest]:
                    self.workqueue.move_to_end(group)
                self.ordered = True
            super()._assign_work_unit(node)

        def _size(self, group: str) -> int:
            return len(self.workqueue[group])

    return FileGroupScheduling(config, log)
