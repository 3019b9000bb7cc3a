"""Where things are, resolved at run time.

Belongs here: the repository's fixed folders, and `Settings`: the folders and limits a run
uses, from explicit values (resource config, a test's tmp_path) or else the environment
(`PIPELINE_RAW_DIR`, `PIPELINE_WAREHOUSE_DIR`, `PIPELINE_CACHE_DIR`, `PIPELINE_KEEP_RELEASES`,
`PIPELINE_DUCKDB_MEMORY_LIMIT`, `PIPELINE_SENSOR_INTERVAL_SECONDS`, `PIPELINE_MODELS_DIR`,
`PIPELINE_KEEP_RUNS`, `PIPELINE_DOWNLOAD_TIMEOUT_SECONDS`, `PIPELINE_DOWNLOAD_DEADLINE_SECONDS`,
`PIPELINE_PUBLISH_URL` with `AWS_ENDPOINT_URL`, `PIPELINE_LAKE_CATALOG`), read when a run or
a definitions load asks, never at import. Every path is rooted at the repository, never at the
working directory. DuckDB's memory limit, unless set, is chosen
from the machine: half the memory available now, within the refresh's resident-memory budget.

Every value is checked as it is read, and `problems` checks what a run needs before any work
starts (the folders it writes, DAGSTER_HOME, the UI's port): one line per bad value, naming the
setting, the value and what is allowed (`SETTINGS`, also the README's table). A failure that a
setting cures (DuckDB out of memory, a full disk) is said in the setting's words
(pipeline/hints.py), never in an engine's. `python -m pipeline.settings [--dev-port N]` prints the
problems and exits 2 (`make dev` runs it before starting Dagster).
"""

from __future__ import annotations

import errno
import os
import re
import socket
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipeline import lake_process
from pipeline.locations import LAKE_CATALOG, PUBLISH_URL, remote_problems

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
MODELS_DIR = PACKAGE_DIR / "sql"
DEFAULT_KEEP_RELEASES = 2
DEFAULT_SENSOR_INTERVAL_SECONDS = 30
DEFAULT_KEEP_RUNS = 20  # Dagster run history and run logs kept
DEFAULT_DOWNLOAD_TIMEOUT_SECONDS = 15  # each connect and read of a download
DEFAULT_DOWNLOAD_DEADLINE_SECONDS = 120  # a whole download: 3.1 MB at 26 KB/s
DOWNLOAD_TIMEOUT = "PIPELINE_DOWNLOAD_TIMEOUT_SECONDS"
DOWNLOAD_DEADLINE = "PIPELINE_DOWNLOAD_DEADLINE_SECONDS"
# A refresh stays under this much resident memory (docs/performance.md measures it at scale);
# what is not DuckDB's is Python, Dagster, pandas and the Arrow row group an export is writing.
RSS_BUDGET_MB, OUTSIDE_DUCKDB_MB, MIN_DUCKDB_MB = 2048, 640, 256
MIN_MEMORY_LIMIT_MB = 64  # below it DuckDB cannot build even the small warehouse (16MB cannot)
_UNITS = {"kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12}
_UNITS |= {"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b)\s*", re.IGNORECASE)
# What each setting allows, as the one-line refusal of a bad value says it.
SETTINGS = {
    "PIPELINE_RAW_DIR": "an existing folder of raw files (default: raw/)",
    "PIPELINE_MODELS_DIR": "an existing folder of SQL models (default: pipeline/sql/)",
    "PIPELINE_WAREHOUSE_DIR": "a folder you can write in, or create (default: warehouse/)",
    "PIPELINE_CACHE_DIR": "a folder you can write in, or create (default: <warehouse>/cache)",
    "PIPELINE_KEEP_RELEASES": f"a whole number, 1 or more (default {DEFAULT_KEEP_RELEASES})",
    "PIPELINE_KEEP_RUNS": f"a whole number, 1 or more (default {DEFAULT_KEEP_RUNS})",
    "PIPELINE_SENSOR_INTERVAL_SECONDS": "a whole number of seconds, 1 or more "
    f"(default {DEFAULT_SENSOR_INTERVAL_SECONDS})",
    "PIPELINE_DOWNLOAD_TIMEOUT_SECONDS": "a whole number of seconds, 1 or more, that each connect "
    f"and read of a download may wait (default {DEFAULT_DOWNLOAD_TIMEOUT_SECONDS})",
    "PIPELINE_DOWNLOAD_DEADLINE_SECONDS": "a whole number of seconds, 1 or more, that a whole "
    f"download may take (default {DEFAULT_DOWNLOAD_DEADLINE_SECONDS})",
    "PIPELINE_DUCKDB_MEMORY_LIMIT": f"a size with its unit, at least {MIN_MEMORY_LIMIT_MB}MB, "
    "e.g. 800MB or 1.5GB (KB, MB, GB, TB, KiB, MiB, GiB, TiB; default: from the machine)",
    PUBLISH_URL: "s3://bucket/prefix, with the AWS_* variables (default: the warehouse folder)",
    "AWS_ENDPOINT_URL": "the http:// or https:// URL of an S3-compatible server (default: AWS)",
    LAKE_CATALOG: "a DuckLake catalog (postgres:dbname=lake host=...) with PIPELINE_PUBLISH_URL",
    "DAGSTER_HOME": "an absolute path to a folder you can write in, or create (make sets "
    ".dagster/)",
    "DEV_PORT": "a free TCP port on 127.0.0.1, 1 to 65535 (default 3000)",
}


class SettingsError(ValueError):
    """Settings that cannot be used: one line each (`lines`)."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = list(lines)


def refusal(name: str, value, why: str) -> str:
    """One line: the setting, its value, why it is refused and what is allowed."""
    shown = " (unset)" if value is None else f"={str(value)!r}"
    return f"{name}{shown}: {why}; allowed: {SETTINGS[name]}"


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    warehouse_dir: Path
    cache_dir: Path
    keep_releases: int = DEFAULT_KEEP_RELEASES
    memory_limit: str = ""  # DuckDB's cap (resolve: PIPELINE_DUCKDB_MEMORY_LIMIT or the machine)
    sensor_interval_seconds: int = DEFAULT_SENSOR_INTERVAL_SECONDS  # between sensor evaluations
    models_dir: Path = MODELS_DIR  # the SQL models and their specs (PIPELINE_MODELS_DIR)
    keep_runs: int = DEFAULT_KEEP_RUNS  # runs and run logs kept (PIPELINE_KEEP_RUNS)
    download_timeout_seconds: int = DEFAULT_DOWNLOAD_TIMEOUT_SECONDS  # each connect and read
    download_deadline_seconds: int = DEFAULT_DOWNLOAD_DEADLINE_SECONDS  # a whole download
    publish_url: str = ""  # s3://bucket/prefix: releases in object storage (else the folder)
    lake_catalog: str = ""  # a DuckLake catalog that each publish commits the marts to

    @classmethod
    def resolve(
        cls,
        raw_dir: str | Path | None = None,
        warehouse_dir: str | Path | None = None,
        cache_dir: str | Path | None = None,
        keep_releases: int | None = None,
        memory_limit: str | None = None,
        environ=None,
        download_timeout: int | None = None,
        download_deadline: int | None = None,
    ) -> Settings:
        """Explicit values first, then the environment, then the repository's defaults;
        SettingsError, one line per value that cannot be parsed or is out of range."""
        env = os.environ if environ is None else environ
        bad: list[str] = []

        def given(explicit, name):
            return explicit if explicit not in (None, "") else env.get(name) or None

        def whole(explicit, name, default):
            value = given(explicit, name)
            if value is None:
                return default
            number = str(value).strip()
            if number.isascii() and number.isdigit() and int(number) >= 1:
                return int(number)
            why = "less than 1" if number.lstrip("-").isdigit() else "not a whole number"
            bad.append(refusal(name, value, why + _config(explicit)))
            return default

        raw = _path(raw_dir, env.get("PIPELINE_RAW_DIR"), REPO_ROOT / "raw")
        warehouse = _path(warehouse_dir, env.get("PIPELINE_WAREHOUSE_DIR"), REPO_ROOT / "warehouse")
        cache = _path(cache_dir, env.get("PIPELINE_CACHE_DIR"), warehouse / "cache")
        keep = whole(keep_releases, "PIPELINE_KEEP_RELEASES", DEFAULT_KEEP_RELEASES)
        memory = given(memory_limit, "PIPELINE_DUCKDB_MEMORY_LIMIT")
        if memory is not None and (size_mb(memory) or 0) < MIN_MEMORY_LIMIT_MB:
            why = "not a size with a unit" if size_mb(memory) is None else "too small"
            bad.append(refusal("PIPELINE_DUCKDB_MEMORY_LIMIT", memory, why + _config(memory_limit)))
        interval = whole(None, "PIPELINE_SENSOR_INTERVAL_SECONDS", DEFAULT_SENSOR_INTERVAL_SECONDS)
        models = _path(None, env.get("PIPELINE_MODELS_DIR"), MODELS_DIR)
        runs = whole(None, "PIPELINE_KEEP_RUNS", DEFAULT_KEEP_RUNS)
        timeout = whole(download_timeout, DOWNLOAD_TIMEOUT, DEFAULT_DOWNLOAD_TIMEOUT_SECONDS)
        deadline = whole(download_deadline, DOWNLOAD_DEADLINE, DEFAULT_DOWNLOAD_DEADLINE_SECONDS)
        remote = [(env.get(name) or "").strip() for name in (PUBLISH_URL, LAKE_CATALOG)]
        bad += [refusal(name, value, why) for name, value, why in remote_problems(env)]
        if bad:
            raise SettingsError(bad)
        memory = memory.strip() if memory else duckdb_memory_limit()
        return cls(
            raw, warehouse, cache, keep, memory, interval, models, runs, timeout, deadline, *remote
        )


def size_mb(text: str) -> float | None:
    """A DuckDB memory size (`1.5GB`, `800 MiB`) in MB of 10**6 bytes; None if it is not one."""
    match = _SIZE.fullmatch(str(text))
    if match is None:
        return None
    return float(match[1]) * _UNITS[match[2].lower()] / 10**6


def duckdb_memory_limit() -> str:
    """Half the memory available now (not fixed: a machine with more free memory gets more, up
    to the budget), and what the resident-memory budget leaves to DuckDB at most."""
    budget = RSS_BUDGET_MB - OUTSIDE_DUCKDB_MB
    return f"{max(MIN_DUCKDB_MB, min(_available_mb() // 2, budget))}MB"


def _available_mb() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20


def _path(explicit, from_env, default: Path) -> Path:
    value = explicit or from_env
    return Path(value).resolve() if value else default


def _config(explicit) -> str:
    return "" if explicit in (None, "") else " (set in the run's resource config)"


def dagster_home(environ=None) -> Path | None:
    """Dagster's folder (DAGSTER_HOME), when set to an absolute path."""
    home = (os.environ if environ is None else environ).get("DAGSTER_HOME")
    return Path(home) if home and Path(home).is_absolute() else None


def problems(environ=None, needs_dagster_home: bool = False, dev_port=None) -> list[str]:
    """Every bad setting, one line each, checked without writing anything: the values, the
    folders read (they exist) and written (they can be), DAGSTER_HOME when the caller needs
    it, and the UI's port when given."""
    env = os.environ if environ is None else environ
    lines: list[str] = []
    try:
        settings = Settings.resolve(environ=env)
    except SettingsError as bad:
        lines += bad.lines
        settings = Settings.resolve(environ={k: v for k, v in env.items() if k in _FOLDERS})

    def refuse(name: str, why: str | None) -> None:
        if why:
            lines.append(refusal(name, env.get(name) or None, why))

    for name, path in (("PIPELINE_RAW_DIR", settings.raw_dir), (MODELS, settings.models_dir)):
        refuse(name, None if path.is_dir() else f"no such folder ({path})")
    refuse(WAREHOUSE, _unwritable(settings.warehouse_dir))
    if env.get(CACHE) or not _unwritable(settings.warehouse_dir):  # else said once, above
        refuse(CACHE, _unwritable(settings.cache_dir))
    if needs_dagster_home:
        home = env.get("DAGSTER_HOME")
        why = "needed to record the run" if not home else None
        why = why or (None if dagster_home(env) else "not an absolute path")
        refuse("DAGSTER_HOME", why or _unwritable(Path(home)))
    if settings.lake_catalog:  # the lake's DuckDB, installed apart (pipeline/lake_process.py)
        refuse(LAKE_CATALOG, lake_process.missing())
    if dev_port is not None and (busy := port_problem(dev_port)):
        lines.append(busy)
    return lines


WAREHOUSE, CACHE, MODELS = "PIPELINE_WAREHOUSE_DIR", "PIPELINE_CACHE_DIR", "PIPELINE_MODELS_DIR"
_FOLDERS = ("PIPELINE_RAW_DIR", WAREHOUSE, CACHE, MODELS)


def check(environ=None, **needs) -> None:
    """SettingsError with every bad setting (`problems`), or nothing."""
    lines = problems(environ, **needs)
    if lines:
        raise SettingsError(lines)


def _unwritable(path: Path) -> str | None:
    """Why a run could not write in `path` (creating it if missing), or None; writes nothing."""
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    where = f"{existing}" if existing == path else f"cannot create {path}: {existing}"
    if not existing.is_dir():
        return f"{where} is not a folder"
    try:  # an unnamed file (O_TMPFILE): as root, or on a read-only mount, access() says yes
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as err:
        return f"{where} is not writable ({err.strerror})"
    return None


def port_problem(port, host: str = "127.0.0.1") -> str | None:
    """Why the UI could not listen on `port`, in one line that suggests a free one, or None."""
    text = str(port).strip()
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        return refusal("DEV_PORT", port, "not a port number")
    number = int(text)
    why = _bind_error(host, number)
    if why is None:
        return None
    free = (p for p in range(number + 1, min(number + 100, 65536)) if not _bind_error(host, p))
    suggestion = f"make dev DEV_PORT={next(free, '<another port>')}"
    return f"DEV_PORT={number}: port {number} on {host} is {why}; choose another: {suggestion}"


def _bind_error(host: str, port: int) -> str | None:
    """What Dagster's webserver would meet binding the port (it sets SO_REUSEADDR too)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as err:
            return "in use" if err.errno == errno.EADDRINUSE else f"not usable ({err.strerror})"
    return None


def main(argv: list[str] | None = None) -> int:
    """Every bad setting, one line each, and exit 2; nothing and exit 0 when all are good."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m pipeline.settings", description=main.__doc__)
    parser.add_argument("--dev-port", help="also check that the UI can listen on this port")
    parser.add_argument("--dagster-home", action="store_true", help="DAGSTER_HOME is needed")
    args = parser.parse_args(argv)
    lines = problems(needs_dagster_home=args.dagster_home, dev_port=args.dev_port)
    print(*lines, sep="\n", file=sys.stderr, end="\n" if lines else "")
    return 2 if lines else 0


if __name__ == "__main__":
    sys.exit(main())
