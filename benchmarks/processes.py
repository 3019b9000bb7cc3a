"""The bench's processes and projects (benchmarks/run.py): each measured child process (wall
time, peak RSS), a copy of the project with its own warehouse and Dagster home, the download
cache filled once, the seconds per step the CLI prints.

Belongs here: those helpers. Stays out: what is measured (run.py, scale.py).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

from pipeline.instance import write_instance_file
from pipeline.settings import REPO_ROOT
from pipeline.transforms.files import sha256_file
from pipeline.transforms.sources.download_sources import DOWNLOADS

UNREACHABLE = "http://127.0.0.1:9/unreachable"  # nothing listens there: offline at once
PYTHON = sys.executable


# --- processes ---------------------------------------------------------------------------------


def measure(command: list[str], env: dict) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, output) of one child process. Linux gives a child the
    peak RSS of the process it was started from as its own starting peak, so this process does
    no heavy work itself: data generation and comparisons run in children too."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{output[-3000:]}")
    return wall, usage.ru_maxrss / 1024, output


def python(code: str) -> list[str]:
    return [PYTHON, "-c", code]


def refresh_command(force: bool = False) -> list[str]:
    return [PYTHON, "-m", "pipeline.cli", "refresh", *(["--force"] if force else [])]


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- projects ----------------------------------------------------------------------------------


def new_project(work: Path, name: str, cache: Path) -> tuple[Path, dict]:
    """A copy of raw/, an empty warehouse, its own Dagster home; the bench's download cache."""
    root = work / name
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(REPO_ROOT / "raw", root / "raw")
    (root / "raw" / "indicators").mkdir(exist_ok=True)
    home = root / "dagster_home"
    home.mkdir()
    write_instance_file(home)
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "DAGSTER_HOME": str(home),
        "PIPELINE_RAW_DIR": str(root / "raw"),
        "PIPELINE_WAREHOUSE_DIR": str(root / "warehouse"),
        "PIPELINE_CACHE_DIR": str(cache),
        **{source.url_env: UNREACHABLE for source in DOWNLOADS},
    }
    return root, env


def fill_download_cache(work: Path, cache: Path) -> dict[str, str]:
    """The pinned downloads in the bench's cache, obtained as a refresh obtains them: from the
    mirror a *_SNAPSHOT_URL variable names, else the pinned URL. {source_id: how it went}."""
    _, env = new_project(work, "download", cache)
    for source in DOWNLOADS:
        env.pop(source.url_env)
        if os.environ.get(source.url_env):
            env[source.url_env] = os.environ[source.url_env]
    measure(refresh_command(), env)
    shutil.rmtree(work / "download")
    found = {}
    for source in DOWNLOADS:
        record = yaml.safe_load(source.record_path(REPO_ROOT / "raw").read_text())
        cached = cache / source.folder / f"{record['sha256']}{source.suffix}"
        found[source.source_id] = (
            "from the download cache"
            if cached.is_file() and sha256_file(cached) == record["sha256"]
            else "unavailable (no mirror variable set and the pinned URL unreachable)"
        )
    return found


def stage_seconds(output: str) -> dict[str, float]:
    """Seconds per stage as the CLI prints them ('  raw   19 assets ... 1.23 s')."""
    stages = {}
    for line in output.splitlines():
        match = re.match(r"^  (\w+)\s+\d+ assets.*?([0-9.]+) s$", line)
        if match:
            stages[match.group(1)] = float(match.group(2))
    return stages


def commit() -> str:
    """The commit measured, and whether the work tree differed from it."""
    git = ["git", "-C", str(REPO_ROOT)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        [*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
    )
    return head.stdout.strip() + (" (with changes)" if dirty.stdout.strip() else "")
