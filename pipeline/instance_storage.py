"""Dagster instance storage chosen by the environment: PostgreSQL when DAGSTER_PG_URL is set,
otherwise SQLite in DAGSTER_HOME (the default). `dagster.yaml` names this class, so one file
serves a laptop and a shared server; the pipeline's code does not change.

Belongs here: that choice only. Stays out: anything else about the instance.
"""

from __future__ import annotations

import os

from dagster._core.storage.base_storage import DagsterStorage
from dagster._serdes import ConfigurableClass, ConfigurableClassData

POSTGRES_URL_ENV = "DAGSTER_PG_URL"


class EnvSelectedStorage(DagsterStorage, ConfigurableClass):
    """Never instantiated itself: `from_config_value` returns the storage the environment
    selects (a DagsterPostgresStorage or a DagsterSqliteStorage)."""

    @classmethod
    def config_type(cls):
        return {}

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value):
        url = os.environ.get(POSTGRES_URL_ENV)
        if url:
            from dagster_postgres import DagsterPostgresStorage

            return DagsterPostgresStorage.from_config_value(inst_data, {"postgres_url": url})
        from dagster._core.storage.sqlite_storage import DagsterSqliteStorage

        home = os.environ.get("DAGSTER_HOME")
        if not home:
            raise RuntimeError("DAGSTER_HOME must be set (make sets it to the project's .dagster/)")
        base_dir = os.path.join(home, "storage")
        return DagsterSqliteStorage.from_config_value(inst_data, {"base_dir": base_dir})
