"""The settings' values, read from explicit values (resource config, a test's tmp_path) or else
the environment, when a run or a definitions load asks, never at import; each value checked as
it is read.

This package is the one place the project reads the environment: the folders and limits of a
run (`Settings`), `DAGSTER_HOME`, the standard AWS variables (`aws_access`), each download's
mirror (`mirror_urls`), and what a child process inherits (`child_environment`). The rest of the
project takes them from here.

Belongs here: reading and parsing those values. Stays out: their names and allowed values
(catalogue.py), the checks of folders and ports before a run (checks.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.locations import ENDPOINT, LAKE_CATALOG, PUBLISH_URL, AwsAccess, remote_problems
from pipeline.settings.catalogue import (
    AWS_KEY_ID,
    AWS_REGIONS,
    AWS_SECRET,
    CACHE,
    DEFAULT_DOWNLOAD_DEADLINE_SECONDS,
    DEFAULT_DOWNLOAD_TIMEOUT_SECONDS,
    DEFAULT_KEEP_RELEASES,
    DEFAULT_KEEP_RUNS,
    DEFAULT_SENSOR_INTERVAL_SECONDS,
    DOWNLOAD_DEADLINE,
    DOWNLOAD_TIMEOUT,
    KEEP_RELEASES,
    KEEP_RUNS,
    MEMORY_LIMIT,
    MIN_MEMORY_LIMIT_MB,
    MIRRORS,
    MODELS,
    RAW,
    SENSOR_INTERVAL,
    WAREHOUSE,
    SettingsError,
    refusal,
)
from pipeline.settings.folders import MODELS_DIR, REPO_ROOT
from pipeline.settings.memory import duckdb_memory_limit, size_mb


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
    # source_id -> the URL that replaces the download's pinned URL (mirror_urls)
    download_urls: dict[str, str] = field(default_factory=dict)

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
        download_urls: dict[str, str] | None = None,
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

        raw = _path(raw_dir, env.get(RAW), REPO_ROOT / "raw")
        warehouse = _path(warehouse_dir, env.get(WAREHOUSE), REPO_ROOT / "warehouse")
        cache = _path(cache_dir, env.get(CACHE), warehouse / "cache")
        keep = whole(keep_releases, KEEP_RELEASES, DEFAULT_KEEP_RELEASES)
        memory = given(memory_limit, MEMORY_LIMIT)
        if memory is not None and (size_mb(memory) or 0) < MIN_MEMORY_LIMIT_MB:
            why = "not a size with a unit" if size_mb(memory) is None else "too small"
            bad.append(refusal(MEMORY_LIMIT, memory, why + _config(memory_limit)))
        interval = whole(None, SENSOR_INTERVAL, DEFAULT_SENSOR_INTERVAL_SECONDS)
        models = _path(None, env.get(MODELS), MODELS_DIR)
        runs = whole(None, KEEP_RUNS, DEFAULT_KEEP_RUNS)
        timeout = whole(download_timeout, DOWNLOAD_TIMEOUT, DEFAULT_DOWNLOAD_TIMEOUT_SECONDS)
        deadline = whole(download_deadline, DOWNLOAD_DEADLINE, DEFAULT_DOWNLOAD_DEADLINE_SECONDS)
        remote = [(env.get(name) or "").strip() for name in (PUBLISH_URL, LAKE_CATALOG, ENDPOINT)]
        bad += [refusal(name, value, why) for name, value, why in remote_problems(*remote)]
        if bad:
            raise SettingsError(bad)
        memory = memory.strip() if memory else duckdb_memory_limit()
        urls = mirror_urls(env) | dict(download_urls or {})
        return cls(
            raw,
            warehouse,
            cache,
            keep,
            memory,
            interval,
            models,
            runs,
            timeout,
            deadline,
            *remote[:2],
            download_urls=urls,
        )


def mirror_urls(environ=None) -> dict[str, str]:
    """source_id -> URL of each download whose mirror variable is set (WJP_SNAPSHOT_URL,
    VDEM_SNAPSHOT_URL): it replaces the pinned URL, never the pinned checksum."""
    env = os.environ if environ is None else environ
    return {source: env[name].strip() for source, name in MIRRORS.items() if env.get(name)}


def child_environment(python_path: list[str], values: dict[str, str]) -> dict[str, str]:
    """The environment of a child process of this run: this process's own, `python_path`
    before its PYTHONPATH, and `values` (settings by name, as this run resolved them) set."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*python_path, *filter(None, [env.get("PYTHONPATH")])])
    return env | values


def dagster_home(environ=None) -> Path | None:
    """Dagster's folder (DAGSTER_HOME), when set to an absolute path."""
    home = (os.environ if environ is None else environ).get("DAGSTER_HOME")
    return Path(home) if home and Path(home).is_absolute() else None


def postgres_instance(environ=None) -> bool:
    """Whether the Dagster instance keeps its history in PostgreSQL: DAGSTER_PG_URL is set (the
    instance file reads the URL itself, dagster.postgres.yaml)."""
    return bool((os.environ if environ is None else environ).get("DAGSTER_PG_URL"))


def aws_access(environ=None) -> AwsAccess:
    """The standard AWS variables that both boto3 (object_store.py) and DuckDB's httpfs
    (lake.py) need."""
    env = os.environ if environ is None else environ
    return AwsAccess(
        endpoint=env.get(ENDPOINT) or None,
        region=next((env[name] for name in AWS_REGIONS if env.get(name)), None),
        key_id=env.get(AWS_KEY_ID) or None,
        secret=env.get(AWS_SECRET) or None,
    )


def _path(explicit, from_env, default: Path) -> Path:
    value = explicit or from_env
    return Path(value).resolve() if value else default


def _config(explicit) -> str:
    return "" if explicit in (None, "") else " (set in the run's resource config)"
