"""Small DuckDB runners: load a validated frame into a typed table, build a table from a .sql
file, read a table back as Arrow or pandas.

Belongs here: SQL execution helpers. Identifiers are quoted; values are never formatted into
SQL (they travel as registered frames or bound parameters). Stays out: Dagster, business rules.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow

from pipeline import paths
from pipeline.schemas.spec import TableSpec, qualified, quote_ident


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    """Execute and fetch everything, so no result is left open on the connection."""
    return con.execute(sql, params or []).fetchall()


def ensure_schema(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    run(con, f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")


def load_frame(
    con: duckdb.DuckDBPyConnection, schema: str, spec: TableSpec, frame: pd.DataFrame
) -> int:
    """Replace `schema.spec.name` with the frame's rows, typed as the spec says."""
    ensure_schema(con, schema)
    target = qualified(schema, spec.name)
    run(con, spec.create_table_sql(target))
    casts = ", ".join(
        f"CAST({quote_ident(f.name)} AS {f.duckdb_type}) AS {quote_ident(f.name)}"
        for f in spec.fields
    )
    con.register("incoming_frame", frame)
    try:
        run(con, f"INSERT INTO {target} SELECT {casts} FROM incoming_frame")  # noqa: S608
    finally:
        con.unregister("incoming_frame")
    return row_count(con, schema, spec.name)


def sql_text(layer: str, name: str) -> str:
    return (paths.SQL_DIR / layer / f"{name}.sql").read_text(encoding="utf-8")


def build_table_from_sql(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> int:
    """CREATE OR REPLACE `schema.name` AS the SELECT in sql/<schema>/<name>.sql."""
    ensure_schema(con, schema)
    select = sql_text(schema, name)
    run(con, f"CREATE OR REPLACE TABLE {qualified(schema, name)} AS\n{select}")
    return row_count(con, schema, name)


def build_view_from_sql(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> int:
    """CREATE OR REPLACE VIEW `schema.name` AS the SELECT in sql/<schema>/<name>.sql."""
    ensure_schema(con, schema)
    run(con, f"CREATE OR REPLACE VIEW {qualified(schema, name)} AS\n{sql_text(schema, name)}")
    return row_count(con, schema, name)


def build_typed_table_from_sql(con: duckdb.DuckDBPyConnection, schema: str, spec: TableSpec) -> int:
    """Build a table whose columns, order and types are fixed by its spec (marts)."""
    ensure_schema(con, schema)
    target = qualified(schema, spec.name)
    run(con, spec.create_table_sql(target))
    names = ", ".join(quote_ident(f.name) for f in spec.fields)
    select = sql_text(schema, spec.name)
    run(con, f"INSERT INTO {target} ({names})\nSELECT {names} FROM (\n{select}\n)")  # noqa: S608
    return row_count(con, schema, spec.name)


def row_count(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> int:
    return run(con, f"SELECT count(*) FROM {qualified(schema, name)}")[0][0]  # noqa: S608


def ordered_select(schema: str, spec: TableSpec) -> str:
    """SELECT of the table's columns in spec order, rows ordered by the primary key."""
    columns = ", ".join(quote_ident(f.name) for f in spec.fields)
    order = ", ".join(quote_ident(c) for c in spec.primary_key)
    return f"SELECT {columns} FROM {qualified(schema, spec.name)} ORDER BY {order}"  # noqa: S608


def read_frame(
    con: duckdb.DuckDBPyConnection,
    schema: str,
    spec: TableSpec,
    where: str = "TRUE",
    params: list | None = None,
) -> pd.DataFrame:
    """As pandas with nullable integers, Python dates/Decimals and Python lists; `where` is a
    SQL condition from code (values go in `params`), to read only the rows needed."""
    order = ", ".join(quote_ident(c) for c in spec.primary_key)
    query = f"SELECT * FROM {qualified(schema, spec.name)} WHERE {where} ORDER BY {order}"  # noqa: S608
    table = con.sql(query, params=params or None).to_arrow_table()
    return table.to_pandas(types_mapper=_nullable_ints)


def _nullable_ints(arrow_type: pyarrow.DataType):
    if pyarrow.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pyarrow.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    return None
