"""The pipeline as the tests drive it: a refresh through the real Dagster machinery (the
definitions factory), the sources and models steps on an in-memory DuckDB, copies of raw/ and of
a refreshed project, and the edits that break or re-pin a raw file. The fixtures are in
conftest.py.

Tests never touch the repository's warehouse/ but for the download cache
(tests/published_files.py): every run gets its own folders under tmp_path.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
import weakref
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipeline.defs.factory import build_definitions
from pipeline.defs.resources import ProjectResource
from pipeline.instance import write_instance_file
from pipeline.lineage import build_graph
from pipeline.release import WarehouseLayout
from pipeline.schemas.raw import RAW_TABLES
from pipeline.settings import MODELS_DIR, REPO_ROOT, Settings
from pipeline.transforms import files
from pipeline.transforms.models.discover import model_key
from pipeline.transforms.models.run import run_models
from pipeline.transforms.sources.download_sources import DOWNLOADS
from pipeline.transforms.sources.read_all import DownloadOptions, read_sources

# Debian's Chromium (`make test` installs it when missing, see the Makefile); these flags keep
# it off the network (the machine has none) and out of the way of a fresh profile.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# Nothing listens on port 9 of the loopback address: a download fails at once, as offline.
UNREACHABLE_URL = "http://127.0.0.1:9/unreachable"
OFFLINE = {"wjp_roli": UNREACHABLE_URL, "vdem_ert": UNREACHABLE_URL}


def require_tool(path: Path, why: str) -> Path:
    """A tool the tests run for real, or a failing test that says why it is needed and the one
    command that installs it (never a skip)."""
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(f"{path} is missing: {why}")
    return path


def require_chromium() -> Path:
    """The browser, or a failing test that says how to install it (never a skip)."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} is not installed: the report's browser tests need a real browser. "
            "`make test` installs Debian's chromium when run as root; otherwise run "
            "`sudo apt-get install -y chromium` first. This test is never skipped."
        )
    return CHROMIUM


@dataclass
class Run:
    """One refresh of the whole graph into a temporary warehouse."""

    result: dg.ExecuteInProcessResult
    raw_dir: Path
    warehouse_dir: Path

    @property
    def layout(self) -> WarehouseLayout:
        return WarehouseLayout(self.warehouse_dir)

    def query(self, sql: str, params=None):
        with duckdb.connect(str(self.layout.published_db), read_only=True) as con:
            return con.execute(sql, params or []).fetchall()

    def failed_checks(self) -> dict[tuple[str, str], str]:
        """{(asset, check): messages} of every failing check (blocking or not)."""
        failed = {}
        for evaluation in self.result.get_asset_check_evaluations():
            if not evaluation.passed:
                messages = evaluation.metadata.get("messages")
                key = (evaluation.asset_key.to_user_string(), evaluation.check_name)
                failed[key] = messages.value if messages is not None else ""
        return failed


# DuckDB instances of this test process for the unit tests' in-memory databases: starting an
# instance takes about 17 ms here, attaching an empty database to one 0.3 ms, and the unit tests
# open hundreds. One thread by default: `make test` runs a worker per core already, and on small
# tables a second thread only costs (the unit modules took 12% longer with two); the tests of
# large sources ask for DuckDB's default (every core), as a refresh runs.
_INSTANCES: dict[int | None, duckdb.DuckDBPyConnection] = {}
_DATABASE_NUMBERS = itertools.count()


def memory_db(threads: int | None = 1) -> duckdb.DuckDBPyConnection:
    """A connection whose default catalog is a new, empty in-memory database (as
    `duckdb.connect()` gives), detached once the connection is gone."""
    if threads not in _INSTANCES:
        config = {} if threads is None else {"threads": threads}
        _INSTANCES[threads] = duckdb.connect(config=config)
    instance, name = _INSTANCES[threads], f"unit_{next(_DATABASE_NUMBERS)}"
    instance.execute(f"ATTACH ':memory:' AS {name}")
    con = instance.cursor()
    con.execute(f"USE {name}")
    weakref.finalize(con, instance.execute, f"DETACH {name}").atexit = False
    return con


def project(base: Path, raw_dir: Path, urls: dict | None = None) -> ProjectResource:
    return ProjectResource(
        raw_dir=str(raw_dir),
        warehouse_dir=str(base / "warehouse"),
        cache_dir=str(base / "cache"),
        download_urls=dict(OFFLINE if urls is None else urls),
        download_timeout_seconds=5,
    )


def materialize(
    raw_dir: Path,
    base: Path,
    urls: dict | None = None,
    *,
    models_dir: Path = MODELS_DIR,
    instance=None,
    tags: dict | None = None,
) -> Run:
    """The refresh job, in process, through the definitions factory (the real Dagster run)."""
    resource = project(base, raw_dir, urls)
    defs = build_definitions(raw_dir, models_dir, resource)
    result = defs.resolve_job_def("refresh").execute_in_process(
        instance=instance or dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
        tags=tags,
    )
    return Run(result, raw_dir, base / "warehouse")


@dataclass
class Steps:
    """The sources and models steps without Dagster, on one in-memory DuckDB."""

    con: duckdb.DuckDBPyConnection
    outcomes: list

    def failed(self) -> dict[tuple[str, str], str]:
        return {
            (o.asset_key, check): "\n".join(p.message() for p in problems)
            for o in self.outcomes
            for check, problems in o.checks.items()
            if problems
        }

    def query(self, sql: str, params=None):
        return self.con.execute(sql, params or []).fetchall()

    rows = query


def run_steps(
    raw_dir: Path,
    base: Path,
    urls: dict | None = None,
    models=True,
    published_pins=None,
    tables=RAW_TABLES,
    marts: tuple[str, ...] = (),
    cache_dir: Path | None = None,
    threads: int | None = 1,
    fetch=DOWNLOADS,
    models_dir: Path = MODELS_DIR,
) -> Steps:
    """Read every source of `raw_dir` (downloads at `urls`, offline by default; transcriptions:
    `tables`) and, when all pass, build every model, into an in-memory DuckDB.
    `published_pins` stands for the current release's download pins. With `marts`, only what
    building those marts needs is read and built (the pipeline's own `Graph.needed_by`).
    `threads`: DuckDB's (None: every core); `fetch`: the downloads to obtain (all; a test of
    transcriptions or long sources may skip them); `models_dir`: the SQL models and their specs."""
    settings = Settings.resolve(raw_dir, base / "warehouse", cache_dir or base / "cache")
    graph = build_graph(raw_dir, models_dir)
    chosen, only = graph.models, None
    if marts:
        keys = {model_key(m) for m in graph.marts if m.name in marts}
        assert len(keys) == len(marts), f"unknown marts in {marts}"
        only = graph.needed_by(keys)
        chosen = [m for m in graph.models if model_key(m) in only]
    con = memory_db(threads)
    options = DownloadOptions(5, dict(OFFLINE if urls is None else urls), published_pins or {})
    outcomes = read_sources(
        con,
        settings,
        graph.long_sources,
        options,
        tables=tables,
        fetch=fetch,
        only=None if only is None else graph.chosen_sources(only),
    )
    if models and not any(o.checks[c] for o in outcomes for c in o.checks):
        outcomes += run_models(con, chosen)
    return Steps(con, outcomes)


def copy_raw(destination: Path) -> Path:
    target = destination / "raw"
    shutil.copytree(REPO_ROOT / "raw", target)
    return target


def rechecksum(data_path: Path) -> None:
    """Record a data file's current sha256 in its origin record (after a deliberate edit)."""
    record = data_path.with_name(data_path.name.split(".", 1)[0] + ".meta.yml")
    text = record.read_text(encoding="utf-8")
    digest = files.sha256_file(data_path)
    record.write_text(re.sub(r"^sha256:.*$", f"sha256: {digest}", text, count=1, flags=re.M))


def edit_csv(csv_path: Path, old: str, new: str, *, count: int = 1, keep_checksum=True) -> None:
    """Replace text in a raw CSV; by default re-record its checksum so that the test reaches the
    rule it targets instead of stopping at the checksum."""
    text = csv_path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {csv_path.name}"
    csv_path.write_text(text.replace(old, new, count), encoding="utf-8")
    if keep_checksum:
        rechecksum(csv_path)


def pin_snapshot(raw_dir: Path, data: bytes, record: str = "wjp/roli.meta.yml") -> None:
    """Point a download's origin record (WJP's by default) at `data` (a generated fixture): its
    sha256 and size."""
    record = raw_dir / record
    text = record.read_text(encoding="utf-8")
    text = re.sub(r"^sha256:.*$", f"sha256: {files.sha256_bytes(data)}", text, flags=re.M)
    text = re.sub(r"^bytes:.*$", f"bytes: {len(data)}", text, flags=re.M)
    record.write_text(text, encoding="utf-8")


def copy_run(run: Run, base: Path) -> Run:
    """A copy of a refreshed project under `base`: its raw folder, its warehouse (releases, the
    relative `current` link, builds, logs) and its download cache, with the run's result. A
    refresh into the copy finds what a refresh into the original would."""
    source = run.warehouse_dir.parent
    shutil.copytree(run.raw_dir, base / "raw")
    shutil.copytree(run.warehouse_dir, base / "warehouse", symlinks=True)
    if (source / "cache").is_dir():
        shutil.copytree(source / "cache", base / "cache")
    return Run(run.result, base / "raw", base / "warehouse")


def cli_env(run: Run, home: Path, **variables: str) -> dict[str, str]:
    """The environment of a CLI or `dagster` process on `run`'s project (its raw folder,
    warehouse and download cache), with a Dagster home of its own (the project's instance file),
    offline unless `variables` say otherwise."""
    home.mkdir(parents=True, exist_ok=True)
    write_instance_file(home)
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "PIPELINE_RAW_DIR": str(run.raw_dir),
        "PIPELINE_WAREHOUSE_DIR": str(run.warehouse_dir),
        "PIPELINE_CACHE_DIR": str(run.warehouse_dir.parent / "cache"),
        "WJP_SNAPSHOT_URL": UNREACHABLE_URL,
        "VDEM_SNAPSHOT_URL": UNREACHABLE_URL,
        **variables,
    }


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """`python -m pipeline.cli ARGS` in another process, as `make run` runs it."""
    command = [sys.executable, "-m", "pipeline.cli", *args]
    return subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, check=False
    )
