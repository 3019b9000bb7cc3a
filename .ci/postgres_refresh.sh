#!/usr/bin/env bash
# One full refresh with the Dagster instance on a real PostgreSQL server (Debian's package):
# the same Definitions, storage selected by DAGSTER_PG_URL (`make instance` appends
# dagster.postgres.yaml to dagster.yaml, pipeline/instance.py). Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
WORK=$(mktemp -d)
chown postgres "$WORK"
PORT=55432
su postgres -c "$PG_BIN/initdb -D $WORK/data -A trust -U postgres" >/dev/null
su postgres -c "$PG_BIN/pg_ctl -D $WORK/data -o '-p $PORT -k $WORK -c listen_addresses=127.0.0.1' -l $WORK/log -w start" >/dev/null
trap 'su postgres -c "$PG_BIN/pg_ctl -D $WORK/data -m fast stop" >/dev/null; rm -rf "$WORK"' EXIT
su postgres -c "$PG_BIN/createdb -h 127.0.0.1 -p $PORT dagster"

export DAGSTER_PG_URL="postgresql+psycopg2://postgres@127.0.0.1:$PORT/dagster"
export PIPELINE_WAREHOUSE_DIR="$WORK/warehouse"
export DAGSTER_HOME="$WORK/dagster_home"
make -s instance DAGSTER_HOME="$DAGSTER_HOME"
.venv/bin/python -m pipeline.cli refresh
# The run is recorded in PostgreSQL, not in a SQLite file.
.venv/bin/python - <<'PY'
import dagster as dg
from dagster_postgres import PostgresRunStorage
with dg.DagsterInstance.get() as instance:
    assert isinstance(instance.run_storage, PostgresRunStorage), type(instance.run_storage)
    runs = instance.get_runs()
    assert runs and runs[0].status == dg.DagsterRunStatus.SUCCESS, runs
    print(f"postgres: {len(runs)} run(s) recorded, last {runs[0].status.value}")
PY
# No SQLite database was created (compute logs may still be written under DAGSTER_HOME).
if find "$DAGSTER_HOME" -name '*.db' | grep -q .; then echo "SQLite storage was created"; exit 1; fi
echo "postgres refresh: OK"
