"""The instance file and its event log: `python -m pipeline.instance` writes dagster.yaml with
SQLite storage through pipeline.instance_storage (or PostgreSQL's, when DAGSTER_PG_URL is set),
and what that class stores are Dagster's own files, which Dagster's own class reads the same,
while it keeps a few engines rather than one per event."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import dagster as dg
import yaml
from dagster._core.storage.event_log import SqliteEventLogStorage

from pipeline.instance_storage import KEPT_ENGINES, SqliteEventLog
from pipeline.settings import REPO_ROOT


@dg.asset(check_specs=[dg.AssetCheckSpec("has_rows", asset="numbers")])
def numbers():
    yield dg.MaterializeResult(metadata={"rows": 3})
    yield dg.AssetCheckResult(check_name="has_rows", passed=True)


def write_instance(home, **env) -> dict:
    environ = {k: v for k, v in os.environ.items() if k != "DAGSTER_PG_URL"}
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.instance"],
        env=environ | {"DAGSTER_HOME": str(home), **env},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return yaml.safe_load((home / "dagster.yaml").read_text())


def test_the_instance_file_names_sqlite_or_postgres_storage(tmp_path, monkeypatch):
    home = tmp_path / "dagster home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    sqlite = write_instance(home)
    assert sqlite["event_log_storage"]["module"] == "pipeline.instance_storage"
    assert "storage" not in sqlite
    assert sqlite["telemetry"] == {"enabled": False}  # the project's dagster.yaml comes first
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.event_log_storage, SqliteEventLog)
    assert (home / "history" / "runs" / "index.db").is_file()  # Dagster's default place
    postgres = write_instance(home, DAGSTER_PG_URL="postgresql://nobody@127.0.0.1:1/none")
    assert postgres["storage"] == {"postgres": {"postgres_url": {"env": "DAGSTER_PG_URL"}}}
    assert "event_log_storage" not in postgres


def test_its_files_are_dagsters_own_and_its_engines_are_kept(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    write_instance(home)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        storage = instance.event_log_storage
        runs = [dg.materialize([numbers], instance=instance).run_id for _ in range(2)]
        index = storage._engines["index"]
        dg.materialize([numbers], instance=instance)
        assert storage._engines["index"] is index  # one engine for every event since
        ours = [storage.get_records_for_run(run_id).records for run_id in runs]
        latest = storage.get_latest_materialization_events([dg.AssetKey("numbers")])
    dagsters = SqliteEventLogStorage(str(home / "history" / "runs"))
    theirs = [dagsters.get_records_for_run(run_id).records for run_id in runs]
    assert [[r.storage_id for r in records] for records in theirs] == [
        [r.storage_id for r in records] for records in ours
    ]
    assert {r.event_log_entry.dagster_event_type for r in theirs[0]} >= {
        dg.DagsterEventType.ASSET_MATERIALIZATION,
        dg.DagsterEventType.ASSET_CHECK_EVALUATION,
    }
    assert dagsters.get_latest_materialization_events([dg.AssetKey("numbers")]) == latest
    check = dg.AssetCheckKey(dg.AssetKey("numbers"), "has_rows")
    assert dagsters.get_asset_check_execution_history(check, limit=10)[0].status.value == (
        "SUCCEEDED"
    )


def test_few_engines_are_kept_and_a_wiped_log_is_made_again(tmp_path):
    storage = SqliteEventLog(str(tmp_path / "runs"))
    with dg.DagsterInstance.ephemeral() as instance:
        for _ in range(KEPT_ENGINES + 2):
            run_id = dg.materialize([numbers], instance=instance).run_id
            for record in instance.get_records_for_run(run_id).records:
                storage.store_event(record.event_log_entry)
    assert len(storage._engines) == KEPT_ENGINES
    storage.wipe()
    assert storage.get_records_for_run(run_id).records == []
    storage.store_event(record.event_log_entry)  # the run's database, removed, made again
    assert len(storage.get_records_for_run(run_id).records) == 1
    storage.dispose()
    assert not storage._engines


def test_each_connection_is_kept_synced_and_shared(tmp_path):
    storage = SqliteEventLog(str(tmp_path / "runs"))
    with dg.DagsterInstance.ephemeral() as instance:
        run_id = dg.materialize([numbers], instance=instance).run_id
        records = instance.get_records_for_run(run_id).records
    for record in records:
        storage.store_event(record.event_log_entry)
    used = []
    for shard in ("index", run_id, "index", run_id):
        with storage._connect(shard) as conn:
            used.append(conn.connection.dbapi_connection)
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    assert used[0] is used[2] and used[1] is used[3]  # each database's one connection, kept
    # Another process's storage (Dagster's own class) writes the index while ours is idle.
    dagsters = SqliteEventLogStorage(str(tmp_path / "runs"))
    with dg.DagsterInstance.ephemeral() as instance:
        later = dg.materialize([numbers], instance=instance).run_id
        for record in instance.get_records_for_run(later).records:
            dagsters.store_event(record.event_log_entry)
    (latest,) = storage.get_latest_materialization_events([dg.AssetKey("numbers")]).values()
    assert latest.run_id == later
    storage.dispose()
    dagsters.dispose()


def test_a_running_runs_events_reach_its_watcher_as_they_are_stored(tmp_path):
    """The webserver follows a run by watching its database file (Dagster's watchdog): each
    event stored reaches it while the storage is open, not when the run ends."""
    storage = SqliteEventLog(str(tmp_path / "runs"))
    with dg.DagsterInstance.ephemeral() as instance:
        run_id = dg.materialize([numbers], instance=instance).run_id
        records = instance.get_records_for_run(run_id).records[:4]
    storage.store_event(records[0].event_log_entry)  # the run's database made
    seen = []

    def follow(entry, _cursor):
        seen.append(entry.dagster_event_type)

    storage.watch(run_id, None, follow)
    try:
        for record in records[1:]:
            storage.store_event(record.event_log_entry)
        waited = time.monotonic()
        while len(seen) < len(records) and time.monotonic() - waited < 20:
            time.sleep(0.05)
        assert seen == [r.event_log_entry.dagster_event_type for r in records]
    finally:
        storage.end_watch(run_id, follow)
        storage.dispose()
