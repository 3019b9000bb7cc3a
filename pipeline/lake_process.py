"""The lake's own DuckDB, in a process of its own.

DuckDB's `httpfs`, `postgres` and `ducklake` extensions come, offline, from the
`duckdb-extension-*` packages, and those are built for one DuckDB version only (1.5.5), older
than the pipeline's own DuckDB (2.0), which is faster at the pipeline's work (docs/scaling.md
has the measurements). So the two are never mixed in one process: the pipeline keeps its
DuckDB, and the lake's DuckDB with its extensions is installed, from requirements-lake.lock
where they are pinned together, into a folder of the venv (`make lake-duckdb`; `make run` does
it when PIPELINE_LAKE_CATALOG is set, `make test` always). Each commit to the lake runs
`python -m pipeline.lake` with that folder first on the path.

Belongs here: running pipeline/lake.py with that DuckDB. Stays out: where it is installed and
whether it is (pipeline/settings/: `lake_site`, `lake_missing`), the lake's SQL (lake.py), when
a release is committed (publishing.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipeline.locations import LAKE_CATALOG, PUBLISH_URL
from pipeline.settings import REPO_ROOT, WAREHOUSE, child_environment, lake_missing, lake_site

LAKE_SECONDS = 900  # a commit copies the marts (tens of MB): far less than this


class LakeError(RuntimeError):
    """The lake could not be reached or written; the message says which and why."""


def environment(settings, site: Path) -> dict[str, str]:
    """The environment of a lake process: the lake's DuckDB first on the path, and the
    settings it needs as this run resolved them."""
    values = {
        PUBLISH_URL: settings.publish_url,
        LAKE_CATALOG: settings.lake_catalog,
        WAREHOUSE: str(settings.warehouse_dir),
    }
    return child_environment([str(site), str(REPO_ROOT)], values)


def run(settings, *args: str, site: Path | None = None) -> dict:
    """Run `python -m pipeline.lake ARGS` with the lake's DuckDB; its last line of output, a
    JSON object, as a dict. LakeError with its own words when it fails."""
    site = site or lake_site()
    if why := lake_missing(site):
        raise LakeError(why)
    command = [sys.executable, "-m", "pipeline.lake", *args]
    try:
        done = subprocess.run(
            command,
            env=environment(settings, site),
            capture_output=True,
            text=True,
            timeout=LAKE_SECONDS,
            cwd=REPO_ROOT,
        )
    except subprocess.TimeoutExpired as err:
        raise LakeError(f"no answer within {LAKE_SECONDS} s") from err
    if done.returncode != 0:
        said = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise LakeError(said[-1].removeprefix("pipeline.lake.LakeError: ") if said else "failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def commit(settings, release_dir: Path, release_id: str, log=print) -> str:
    """Commit the marts of the release in `release_dir` as one snapshot (lake.commit, in the
    lake's process); what was done, in a few words."""
    answer = run(settings, "commit", str(release_dir), release_id)
    if answer.get("said"):
        log(answer["said"])
    return answer["done"]
