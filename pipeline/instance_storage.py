"""The instance's event log on SQLite: Dagster's own storage, each database's engine and
connection made once.

Dagster's SQLite event log (`SqliteEventLogStorage`) creates a SQLAlchemy engine for every
connection, and drops it after: for each event it stores, one to three times (the run's
database, then the index database for asset and check events), and once more for each check
event to ask whether the index has the checks' table. An engine is a dialect, an
event setup and a cache of compiled statements, so a refresh's ~200 events paid that ~500 times
and compiled every statement again each time. Storing a refresh's 213 events again took 2.95
and 3.1 s of CPU with Dagster's class, 1.77 and 2.04 s with this one (2 runs each, interleaved,
2026-12-07; before the index's engine was used for `has_table` too, 2.3 to 2.9 s).

Each connection was new too, and the databases are in WAL mode (Dagster's `_initdb`): closing
the last connection to one checkpoints it, so every transaction wrote and synced twice, and
opened the database, its WAL and its shared memory again. Now each database's connection is kept
(one, pooled), each commit synced (`synchronous = FULL`: what is stored survives a power loss,
as before). A run's database is checkpointed after each commit instead, as closing did: the
webserver learns of a running run's new events when `<run>.db` changes (Dagster's
`SqliteEventLogStorageWatchdog` watches that file, not its WAL). Storing the 218 events of a
refresh of 12.5M rows (`pipeline.cli refresh`, `EventMethods.handle_new_event` timed, 2026-12-07):
2.5 s with a connection per use (2 runs); 1.27 to 2.05 s with only the index's kept (4 runs);
1.42 and 1.54 s with every one kept, a run's checkpointed (2 runs).

`SqliteEventLog` keeps the engines, one per database (a run's, or the index), the most recently
used few. Everything else is Dagster's: the same files in the same place (DAGSTER_HOME/history/
runs, Dagster's default; dagster.sqlite.yaml gives it DAGSTER_HOME), the same schema and
migrations, the same lock, so the webserver, the daemon and a run still share the files as
before: an idle kept connection holds no lock and no snapshot. With DAGSTER_PG_URL set, the
instance uses PostgreSQL instead (dagster.postgres.yaml) and this module is not used.

Belongs here: that storage class. Stays out: opening the instance and its faults (instance.py).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import sqlalchemy
from dagster._core.storage.event_log import SqliteEventLogStorage
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from sqlalchemy import create_engine
from sqlalchemy.pool import QueuePool

# Engines kept: the index and the running run's database are used by every event; the UI reads
# other runs' databases one page at a time.
KEPT_ENGINES = 8
# A database's one connection, kept; a thread that finds it in use gets another (up to this
# many at once), closed after.
EXTRA_CONNECTIONS = 8


class SqliteEventLog(SqliteEventLogStorage):
    """Dagster's SQLite event log storage, its engines kept (module docstring)."""

    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, sqlalchemy.engine.Engine] = OrderedDict()
        super().__init__(base_dir, inst_data=inst_data)

    @classmethod
    def config_type(cls):
        return {"dagster_home": dg.StringSource}

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> SqliteEventLog:
        """In the instance's folder (`dagster_home`), where Dagster keeps a SQLite instance's
        event logs: history/runs."""
        base_dir = Path(config_value["dagster_home"]) / "history" / "runs"
        return cls(str(base_dir), inst_data=inst_data)

    @contextmanager
    def _connect(self, shard: str) -> Iterator[sqlalchemy.Connection]:
        # As SqliteEventLogStorage._connect, with the engine kept: the lock held while the
        # connection is used, the database created on its first use by this storage.
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn
                if shard != INDEX_SHARD_NAME:  # its file changed for its watchers (docstring)
                    _checkpoint(conn)

    def has_table(self, table_name: str) -> bool:
        # As SqliteEventLogStorage.has_table (asked for every asset check event stored), on the
        # index's kept engine instead of a new one each time.
        engine = self._engine(INDEX_SHARD_NAME)
        with engine.connect() as conn:
            return bool(engine.dialect.has_table(conn, table_name))

    def _engine(self, shard: str) -> sqlalchemy.engine.Engine:
        engine = self._engines.get(shard)
        if engine is not None and Path(self.path_for_shard(shard)).exists():
            self._engines.move_to_end(shard)
            return engine
        if engine is not None:  # its file was removed (a wipe): a new database, a new engine
            self._engines.pop(shard).dispose()
            self._initialized_dbs.discard(shard)
        engine = create_engine(
            self.conn_string_for_shard(shard),
            poolclass=QueuePool,
            pool_size=1,
            max_overflow=EXTRA_CONNECTIONS,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
        )
        sqlalchemy.event.listen(engine, "connect", _synced)
        self._engines[shard] = engine
        while len(self._engines) > KEPT_ENGINES:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    def dispose(self) -> None:
        super().dispose()
        while self._engines:
            self._engines.popitem()[1].dispose()


def _checkpoint(conn: sqlalchemy.Connection) -> None:
    """Copy the WAL's committed pages into the database file, as closing the last connection
    did. What was committed is already stored, synced in the WAL: a checkpoint that cannot run
    (a full disk) leaves it there for the next one, as a failed close did, and only delays the
    webserver's notice."""
    try:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").close()
    except sqlalchemy.exc.OperationalError:
        pass


def _synced(dbapi_connection, _record) -> None:
    """Each commit synced to disk, whatever SQLite's build defaults to in WAL mode."""
    dbapi_connection.execute("PRAGMA synchronous = FULL")
