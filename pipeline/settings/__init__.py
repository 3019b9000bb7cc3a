"""Where things are and how a run is configured, resolved at run time: the one place the project
reads the environment.

- folders.py: the repository's fixed folders (REPO_ROOT, PACKAGE_DIR, MODELS_DIR) and the
  venv's folder of the lake's DuckDB (`lake_site`);
- catalogue.py: every setting's name, default and what it allows (`SETTINGS`, also the README's
  table), and the one-line refusal of a bad value;
- values.py: `Settings` (the folders and limits of a run, from explicit values or else the
  environment), DAGSTER_HOME, the standard AWS variables and each download's mirror variable;
- memory.py: DuckDB's memory limit (sizes, and the default chosen from the machine);
- checks.py: the checks before a run starts (folders, DAGSTER_HOME, the lake's DuckDB, the
  UI's port) and `python -m pipeline.settings`.

A failure that a setting cures (DuckDB out of memory, a full disk) is said in the setting's
words (pipeline/hints.py), never in an engine's. No other module reads `os.environ`
(tests/test_settings.py checks it).

Belongs here: the names the rest of the project imports from `pipeline.settings`.
"""

from pipeline.settings.catalogue import (
    CACHE,
    DEFAULT_DOWNLOAD_DEADLINE_SECONDS,
    DEFAULT_DOWNLOAD_TIMEOUT_SECONDS,
    DEFAULT_KEEP_RELEASES,
    DEFAULT_KEEP_RUNS,
    DEFAULT_SENSOR_INTERVAL_SECONDS,
    DOWNLOAD_DEADLINE,
    DOWNLOAD_TIMEOUT,
    MIRRORS,
    MODELS,
    SETTINGS,
    WAREHOUSE,
    SettingsError,
    refusal,
)
from pipeline.settings.checks import check, lake_missing, port_problem, problems
from pipeline.settings.folders import MODELS_DIR, PACKAGE_DIR, REPO_ROOT, lake_site
from pipeline.settings.memory import duckdb_memory_limit, size_mb
from pipeline.settings.values import (
    Settings,
    aws_access,
    child_environment,
    dagster_home,
    mirror_urls,
    postgres_instance,
)

__all__ = [
    "CACHE",
    "DEFAULT_DOWNLOAD_DEADLINE_SECONDS",
    "DEFAULT_DOWNLOAD_TIMEOUT_SECONDS",
    "DEFAULT_KEEP_RELEASES",
    "DEFAULT_KEEP_RUNS",
    "DEFAULT_SENSOR_INTERVAL_SECONDS",
    "DOWNLOAD_DEADLINE",
    "DOWNLOAD_TIMEOUT",
    "MIRRORS",
    "MODELS",
    "MODELS_DIR",
    "PACKAGE_DIR",
    "REPO_ROOT",
    "SETTINGS",
    "WAREHOUSE",
    "Settings",
    "SettingsError",
    "aws_access",
    "check",
    "child_environment",
    "dagster_home",
    "duckdb_memory_limit",
    "lake_missing",
    "lake_site",
    "mirror_urls",
    "postgres_instance",
    "port_problem",
    "problems",
    "refusal",
    "size_mb",
]
