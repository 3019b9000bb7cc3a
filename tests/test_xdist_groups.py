"""The suite's grouping under `make test` (`-n 2 --dist loadgroup`, stock pytest-xdist): a
session build that tests in several modules read is made once, on one worker, and a module's
tests stay together (tests/conftest.py gives each test its group).

Run through a real pytest with two workers, in a folder of the test's own whose conftest uses
this suite's hook, and a session fixture named like the suite's build that logs each time it is
made. This is what broke silently with pytest 9.2 (pytest-xdist issue #1386): every test would
be scheduled alone, and the build made on both workers."""

from __future__ import annotations

import os
import subprocess
import sys

from pipeline.settings import REPO_ROOT

CONFTEST = """
import os
import pytest
from tests.conftest import pytest_collection_modifyitems  # noqa: F401  the suite's hook

@pytest.fixture(scope="session")
def built():
    with open(os.environ["BUILD_LOG"], "a") as log:
        log.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")

@pytest.fixture
def worker(request):
    with open(os.environ["RUN_LOG"], "a") as log:
        log.write(f"{request.node.module.__name__} {os.environ['PYTEST_XDIST_WORKER']}\\n")
"""
READS_THE_BUILD = """
import pytest

@pytest.mark.parametrize("n", range(4))
def test_reads(built, worker, n):
    pass
"""
ALONE = """
import pytest

@pytest.mark.parametrize("n", range(6))
def test_alone(worker, n):
    pass
"""


def test_a_session_build_is_made_once_and_a_module_stays_on_one_worker(tmp_path):
    (tmp_path / "conftest.py").write_text(CONFTEST)
    for name in ("test_reads_a", "test_reads_b"):
        (tmp_path / f"{name}.py").write_text(READS_THE_BUILD)
    for name in ("test_alone_c", "test_alone_d"):
        (tmp_path / f"{name}.py").write_text(ALONE)
    build_log, run_log = tmp_path / "build.log", tmp_path / "run.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    path = [str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env |= {
        "BUILD_LOG": str(build_log),
        "RUN_LOG": str(run_log),
        "PYTHONPATH": os.pathsep.join(path),
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider"]
        + ["-q", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "20 passed" in result.stdout
    assert len(build_log.read_text().splitlines()) == 1, "the session build was made twice"
    workers: dict[str, set[str]] = {}
    for line in run_log.read_text().splitlines():
        module, worker = line.split()
        workers.setdefault(module, set()).add(worker)
    assert sorted(workers) == ["test_alone_c", "test_alone_d", "test_reads_a", "test_reads_b"]
    assert all(len(ran_on) == 1 for ran_on in workers.values()), workers
    assert workers["test_reads_a"] == workers["test_reads_b"]
    assert len(set.union(*workers.values())) == 2, "both workers were used"
