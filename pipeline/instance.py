"""The project's Dagster instance, as the CLI opens it: created once per DAGSTER_HOME even when
two refreshes start at the same moment, its run history kept bounded, and its failures named.

The instance is bookkeeping: the warehouse is published by the refresh, not by the instance. So
a store that is unreadable, full or corrupt is reported as what it is (the folder, the cause,
how to reset it safely), and a release published before the store failed is still reported as
published: bookkeeping never changes the outcome.

Belongs here: opening, pruning and the words for the store's faults. Stays out: running the job
(cli.py).
"""

from __future__ import annotations

import fcntl
import sqlite3
from pathlib import Path

from pipeline.settings import dagster_home


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
