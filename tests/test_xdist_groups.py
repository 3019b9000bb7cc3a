"""The suite's grouping under `make test` (its xdist options, read from the Makefile; stock
pytest-xdist): a session build that tests in several modules read is made once, on one worker,
a module's tests stay together, and the groups are handed out with those marked `long_waits`
first, then most tests first (tests/conftest.py gives each test its group and the order).

Run through a real pytest with the Makefile's workers, in a folder of the test's own whose
conftest uses this suite's hook, and a session fixture named like the suite's build that logs
each time it is made. This is what broke silently with pytest 9.2 (pytest-xdist issue #1386):
every test would be scheduled alone, and the build made on every worker."""

from __future__ import annotations

import os
import re
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
WAITS = """
import pytest

pytestmark = pytest.mark.long_waits

@pytest.mark.parametrize("n", range(2))
def test_waits(worker, n):
    pass
"""
# The xdist options of `make test`'s pytest command.
XDIST = re.search(r"-n \d+ --dist loadgroup[ a-z-]*", (REPO_ROOT / "Makefile").read_text())


def test_a_session_build_is_made_once_and_a_module_stays_on_one_worker(tmp_path):
    (tmp_path / "conftest.py").write_text(CONFTEST)
    for name in ("test_reads_a", "test_reads_b"):
        (tmp_path / f"{name}.py").write_text(READS_THE_BUILD)
    for name in ("test_alone_c", "test_alone_d"):
        (tmp_path / f"{name}.py").write_text(ALONE)
    (tmp_path / "test_waits_e.py").write_text(WAITS)
    build_log, run_log = tmp_path / "build.log", tmp_path / "run.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    path = [str(REPO_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env |= {
        "BUILD_LOG": str(build_log),
        "RUN_LOG": str(run_log),
        "PYTHONPATH": os.pathsep.join(path),
    }
    assert XDIST, "make test's pytest command has no -n N --dist loadgroup"
    options = XDIST.group(0).split()
    pytest_in_folder = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"]
    pytest_in_folder += ["--rootdir", str(tmp_path), str(tmp_path)]

    def run(*extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*pytest_in_folder, *extra],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    listed = run("--collect-only")
    order = [line.split("::")[0] for line in listed.stdout.splitlines() if "::" in line]
    assert list(dict.fromkeys(order)) == [  # as handed out: long_waits, then most tests first
        "test_waits_e.py",
        "test_reads_a.py",
        "test_reads_b.py",
        "test_alone_c.py",
        "test_alone_d.py",
    ], listed.stdout
    result = run(*options)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "22 passed" in result.stdout
    assert len(build_log.read_text().splitlines()) == 1, "the session build was made twice"
    workers: dict[str, set[str]] = {}
    for line in run_log.read_text().splitlines():
        module, worker = line.split()
        workers.setdefault(module, set()).add(worker)
    modules = ["test_alone_c", "test_alone_d", "test_reads_a", "test_reads_b", "test_waits_e"]
    assert sorted(workers) == modules
    assert all(len(ran_on) == 1 for ran_on in workers.values()), workers
    assert workers["test_reads_a"] == workers["test_reads_b"]
    assert len(set.union(*workers.values())) == int(options[1]), "every worker was used"
