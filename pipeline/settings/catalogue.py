"""Every setting the project reads from the environment: its name, its default and what it
allows, as the one-line refusal of a bad value says it (also the README's table).

Belongs here: the names, the defaults, the allowed values in words, and the refusal's wording.
Stays out: reading the environment (values.py) and checking folders and ports (checks.py).
"""

from __future__ import annotations

from pipeline.locations import ENDPOINT, LAKE_CATALOG, PUBLISH_URL

DEFAULT_KEEP_RELEASES = 2
DEFAULT_SENSOR_INTERVAL_SECONDS = 30
DEFAULT_KEEP_RUNS = 20  # Dagster run history and run logs kept
DEFAULT_DOWNLOAD_TIMEOUT_SECONDS = 15  # each connect and read of a download
DEFAULT_DOWNLOAD_DEADLINE_SECONDS = 120  # a whole download: 3.1 MB at 26 KB/s
MIN_MEMORY_LIMIT_MB = 64  # below it DuckDB cannot build even the small warehouse (16MB cannot)

RAW, MODELS = "PIPELINE_RAW_DIR", "PIPELINE_MODELS_DIR"
WAREHOUSE, CACHE = "PIPELINE_WAREHOUSE_DIR", "PIPELINE_CACHE_DIR"
KEEP_RELEASES, KEEP_RUNS = "PIPELINE_KEEP_RELEASES", "PIPELINE_KEEP_RUNS"
SENSOR_INTERVAL = "PIPELINE_SENSOR_INTERVAL_SECONDS"
DOWNLOAD_TIMEOUT = "PIPELINE_DOWNLOAD_TIMEOUT_SECONDS"
DOWNLOAD_DEADLINE = "PIPELINE_DOWNLOAD_DEADLINE_SECONDS"
MEMORY_LIMIT = "PIPELINE_DUCKDB_MEMORY_LIMIT"
# The variable that replaces each download's pinned URL (a mirror, a local server), by the
# source_id of the download (pipeline/transforms/sources/download_sources.py); never its checksum.
MIRRORS = {"wjp_roli": "WJP_SNAPSHOT_URL", "vdem_ert": "VDEM_SNAPSHOT_URL"}
# The standard AWS variables the object store and the lake use (with PIPELINE_PUBLISH_URL).
AWS_REGIONS = ("AWS_REGION", "AWS_DEFAULT_REGION")  # the first one set
AWS_KEY_ID, AWS_SECRET = "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"

# What each setting allows, as the one-line refusal of a bad value says it.
SETTINGS = {
    RAW: "an existing folder of raw files (default: raw/)",
    MODELS: "an existing folder of SQL models (default: pipeline/sql/)",
    WAREHOUSE: "a folder you can write in, or create (default: warehouse/)",
    CACHE: "a folder you can write in, or create (default: <warehouse>/cache)",
    KEEP_RELEASES: f"a whole number, 1 or more (default {DEFAULT_KEEP_RELEASES})",
    KEEP_RUNS: f"a whole number, 1 or more (default {DEFAULT_KEEP_RUNS})",
    SENSOR_INTERVAL: "a whole number of seconds, 1 or more "
    f"(default {DEFAULT_SENSOR_INTERVAL_SECONDS})",
    DOWNLOAD_TIMEOUT: "a whole number of seconds, 1 or more, that each connect "
    f"and read of a download may wait (default {DEFAULT_DOWNLOAD_TIMEOUT_SECONDS})",
    DOWNLOAD_DEADLINE: "a whole number of seconds, 1 or more, that a whole "
    f"download may take (default {DEFAULT_DOWNLOAD_DEADLINE_SECONDS})",
    MEMORY_LIMIT: f"a size with its unit, at least {MIN_MEMORY_LIMIT_MB}MB, "
    "e.g. 800MB or 1.5GB (KB, MB, GB, TB, KiB, MiB, GiB, TiB; default: from the machine)",
    PUBLISH_URL: "s3://bucket/prefix, with the AWS_* variables (default: the warehouse folder)",
    ENDPOINT: "the http:// or https:// URL of an S3-compatible server (default: AWS)",
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
