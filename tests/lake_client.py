"""A reader of the shared lake, as a user's DuckDB has it: run in a process of its own with the
lake's DuckDB and its extensions first on the path (pipeline/lake_process.py), because the
pipeline's own DuckDB is a newer version than the packaged extensions are built for.

    python tests/lake_client.py < request.json

The request: {"extensions": folder, "catalog": "postgres:...", "attach": [[path, alias], ...],
"queries": [[sql, params], ...]}, with the S3 variables in the environment. It answers one JSON
line: {"rows": [rows of each query]}, or {"error": "..."} when a statement fails.

Belongs here: that process. Stays out: the machines and the tests (machines.py,
test_beyond_one_machine.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb

from pipeline import lake


def answer(request: dict) -> dict:
    con = duckdb.connect()
    try:
        lake.load_extensions(con, Path(request["extensions"]))
        con.execute(lake.s3_secret_sql())
        if request.get("catalog"):
            con.execute(f"ATTACH 'ducklake:{request['catalog']}' AS lake (READ_ONLY)")
        for path, alias in request.get("attach", []):
            con.execute(f"ATTACH '{path}' AS {alias} (READ_ONLY)")
        rows = [con.execute(sql, params).fetchall() for sql, params in request["queries"]]
    except duckdb.Error as err:
        return {"error": f"{type(err).__name__}: {err}"}
    finally:
        con.close()
    return {"rows": rows}


if __name__ == "__main__":
    print(json.dumps(answer(json.load(sys.stdin)), default=str))
