"""The project's Dagster instance, as the CLI opens it: created once per DAGSTER_HOME even when
two refreshes start at the same moment, its run history kept bounded, and its failures named.

The instance is bookkeeping: the warehouse is published by the refresh, not by the instance. So
a store that is unreadable, full or corrupt is reported as what it is (the folder, the cause,
how to reset it safely), and a release published before the store failed is still reported as
published: bookkeeping never changes the outcome.

Its file, DAGSTER_HOME/dagster.yaml, is dagster.yaml and then the storage: dagster.sqlite.yaml,
or dagster.postgres.yaml when DAGSTER_PG_URL is set. `python -m pipeline.instance` writes it
(`make instance`); tests and the bench write theirs with `write_instance_file`.

Belongs here: the instance file, opening, pruning and the words for the store's faults. Stays
out: running the job (cli.py), the event log's storage class (instance_storage.py).
"""

from __future__ import annotations

import fcntl
import sqlite3
from pathlib import Path

from pipeline.settings import REPO_ROOT, dagster_home, postgres_instance

INSTANCE_FILE = "dagster.yaml"
STORAGE_FILES = {False: "dagster.sqlite.yaml", True: "dagster.postgres.yaml"}


class InstanceStoreError(Exception):
    """The instance's store failed; the message says where and what to do."""


class open_instance:
    """The project's Dagster instance. Two refreshes started at the same moment on a new
    DAGSTER_HOME would both create its SQLite tables and one would fail, so creation is
    serialised with a lock file in DAGSTER_HOME."""

    def __init__(self, dg):
        self.dg = dg

    def __enter__(self):
        home = dagster_home()
        if home is None:
            raise SystemExit(
                "DAGSTER_HOME must be an absolute path to the project's Dagster folder: run "
                '`make run`, or export DAGSTER_HOME="$PWD/.dagster" first (then `make instance`)'
            )
        home.mkdir(parents=True, exist_ok=True)
        with open(home / ".instance-init.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.instance = self.dg.DagsterInstance.get()
        return self.instance.__enter__()

    def __exit__(self, *exc):
        return self.instance.__exit__(*exc)


def store_failure(err: BaseException) -> str | None:
    """One paragraph naming DAGSTER_HOME and the cause, for a failure of the instance's store
    (SQLite or PostgreSQL through SQLAlchemy, or the folder itself); None for anything else."""
    from sqlalchemy.exc import SQLAlchemyError

    if not isinstance(err, SQLAlchemyError | sqlite3.Error | OSError):
        return None
    cause = str(getattr(err, "orig", None) or err).strip().splitlines()[0][:200]
    home = dagster_home() or Path("DAGSTER_HOME")
    return (
        f"The Dagster instance store in {home} (DAGSTER_HOME) is unreadable, full or corrupt: "
        f"{cause}. It holds the run history only, not the warehouse. Check the free space of "
        f"its disk; to reset it safely, move {home / 'storage'} and {home / 'history'} aside "
        "and run again (`make run` recreates them)."
    )


def prune_runs(instance, keep: int) -> str:
    """Keep the newest `keep` runs of the instance; '' or a warning when the store refuses."""
    try:
        for record in instance.get_run_records(limit=1000)[keep:]:
            instance.delete_run(record.dagster_run.run_id)
    except Exception as err:  # bookkeeping: a warning, never the run's outcome
        return f"WARNING: old runs were not pruned: {store_failure(err) or err}"
    return ""


def instance_file_text(postgres: bool) -> str:
    """The instance file: the project's dagster.yaml, then its storage (module docstring)."""
    return "".join(
        (REPO_ROOT / name).read_text(encoding="utf-8")
        for name in (INSTANCE_FILE, STORAGE_FILES[postgres])
    )


def write_instance_file(home: Path, postgres: bool = False) -> Path:
    """DAGSTER_HOME's instance file, replaced whole."""
    home.mkdir(parents=True, exist_ok=True)
    path = home / INSTANCE_FILE
    path.write_text(instance_file_text(postgres), encoding="utf-8")
    return path


if __name__ == "__main__":
    if (found := dagster_home()) is None:
        raise SystemExit("DAGSTER_HOME must be an absolute path (the Makefile sets it)")
    write_instance_file(found, postgres_instance())
