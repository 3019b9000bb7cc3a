"""Small DuckDB runners: execute and fetch, read a relation as pandas, build a table from SQL,
stream queries' rows as Arrow batches read ahead on a thread.

Belongs here: SQL execution helpers. Identifiers are quoted; values are never formatted into
SQL (they travel as bound parameters or registered frames). Stays out: Dagster, rules.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import duckdb

from pipeline.schemas.spec import TableSpec, qualified, quote_ident

if TYPE_CHECKING:  # pandas and pyarrow are imported where a frame is made
    import pandas as pd
    import pyarrow


# A part of a relation this large (a long-format source's rows) is handled on its own: written
# in its stored order by an export, checked for key clashes alone.
LARGE_PART_ROWS = 1_000_000


def run(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    """Execute and fetch everything, so no result is left open on the connection."""
    return con.execute(sql, params or []).fetchall()


def insert_rows(con: duckdb.DuckDBPyConnection, relation: str, rows: list[tuple]) -> None:
    """Append rows (tuples in the relation's column order) in one statement: each column
    travels as one bound list (executemany binds and runs a statement per row)."""
    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    lists = ", ".join("unnest(?)" for _ in columns)
    run(con, f"INSERT INTO {relation} SELECT {lists}", [list(c) for c in columns])  # noqa: S608


def ensure_schema(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    run(con, f"CREATE SCHEMA IF NOT EXISTS {quote_ident(schema)}")


def fresh_schema(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    """An empty `schema`, for a step that builds every relation in it. A build starts from a
    copy of the published warehouse: without this, a relation that a model, a mart or a source
    no longer produces would be published again with its old rows, and one that changed kind
    (a table now a view) could not be replaced."""
    run(con, f"DROP SCHEMA IF EXISTS {quote_ident(schema)} CASCADE")
    ensure_schema(con, schema)


def relations(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, str]:
    """{name: 'table' or 'view'} of the relations in `schema` of the current database."""
    rows = run(
        con,
        "SELECT table_name, table_type FROM information_schema.tables "
        "WHERE table_schema = ? AND table_catalog = current_database()",
        [schema],
    )
    return {name: "view" if kind == "VIEW" else "table" for name, kind in rows}


def drop_relation(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> None:
    """Drop `schema.name`, table or view, if it exists (a model may change kind)."""
    kind = relations(con, schema).get(name)
    if kind is not None:
        run(con, f"DROP {kind.upper()} {qualified(schema, name)}")


def summarize(con: duckdb.DuckDBPyConnection, relation: str, where="TRUE", known: int = 0):
    """Row count, columns and the first rows of a relation, read with SQL (it may be too
    large for pandas); the rows `where` selects are counted, `known` rows added (counted
    before)."""
    from pipeline.transforms.outcome import PREVIEW_ROWS, RelationSummary

    schema, name = relation.split(".", 1)
    quoted = qualified(schema, name.strip('"'))
    preview = con.execute(f"SELECT * FROM {quoted} LIMIT {PREVIEW_ROWS}")  # noqa: S608
    rows = tuple(preview.fetchall())
    described = run(con, f"DESCRIBE {quoted}")
    columns = tuple((row[0], row[1]) for row in described)
    (count,) = run(con, f"SELECT count(*) FROM {quoted} WHERE {where}")[0]  # noqa: S608
    return RelationSummary(relation, count + known, columns, rows)


def row_count(con: duckdb.DuckDBPyConnection, relation: str) -> int:
    return run(con, f"SELECT count(*) FROM {relation}")[0][0]  # noqa: S608 (quoted name)


def frame_of(
    con: duckdb.DuckDBPyConnection, relation: str, where: str = "TRUE", params=None, order=""
) -> pd.DataFrame:
    """A relation as pandas with nullable integers and booleans, Python dates, Decimals and
    lists; `where` is a SQL condition from code (values go in `params`)."""
    order_by = f" ORDER BY {order}" if order else ""
    query = f"SELECT * FROM {relation} WHERE {where}{order_by}"  # noqa: S608
    table = con.sql(query, params=params or None).to_arrow_table()
    return table.to_pandas(types_mapper=_nullable)


def read_spec_frame(con, schema: str, spec: TableSpec, where="TRUE", params=None) -> pd.DataFrame:
    """A spec'd table as pandas, ordered by its key."""
    order = ", ".join(quote_ident(c) for c in spec.primary_key)
    return frame_of(con, qualified(schema, spec.name), where, params, order)


def _nullable(arrow_type: pyarrow.DataType):
    import pandas as pd
    import pyarrow

    if pyarrow.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    if pyarrow.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    return None


def create_typed_table(
    con: duckdb.DuckDBPyConnection, schema: str, spec: TableSpec, select: str, not_null=True
) -> int:
    """`schema.spec.name` with the spec's columns, order and types, filled from `select` (a
    query with at least those columns). With `not_null`, required columns are NOT NULL (for rows
    already validated); without, the spec's check finds and names empty required cells."""
    ensure_schema(con, schema)
    target = qualified(schema, spec.name)
    run(con, spec.create_table_sql(target, not_null=not_null))
    names = spec.select_list()
    run(con, f"INSERT INTO {target} ({names}) SELECT {names} FROM ({select})")  # noqa: S608
    return row_count(con, target)


def load_frame(
    con: duckdb.DuckDBPyConnection, schema: str, spec: TableSpec, frame, not_null=True
) -> int:
    """Replace `schema.spec.name` with a frame's rows, typed as the spec says (`not_null`: as
    for `create_typed_table`)."""
    con.register("incoming_frame", frame)
    try:
        casts = ", ".join(
            f"CAST({quote_ident(f.name)} AS {f.duckdb_type}) AS {quote_ident(f.name)}"
            for f in spec.fields
        )
        select = f"SELECT {casts} FROM incoming_frame"  # noqa: S608
        return create_typed_table(con, schema, spec, select, not_null)
    finally:
        con.unregister("incoming_frame")


@contextmanager
def temporary_setting(con: duckdb.DuckDBPyConnection, name: str, value: str) -> Iterator[None]:
    """`SET name = value` for the block, then the setting as it was."""
    (before,) = run(con, "SELECT current_setting(?)", [name])[0]
    run(con, f"SET {name} = {value}")
    try:
        yield
    finally:
        restored = "'" + before.replace("'", "''") + "'" if isinstance(before, str) else before
        run(con, f"SET {name} = {restored}")


def single_threaded(con: duckdb.DuckDBPyConnection):
    """Run on one thread (DuckDB then streams a scan's rows in stored order), then restore."""
    return temporary_setting(con, "threads", "1")


def order_free(con: duckdb.DuckDBPyConnection):
    """Let DuckDB ignore insertion order (queries whose results do not depend on it: counts,
    groupings, checks with their own ORDER BY), then restore. Keeping the order across a union
    of millions of rows holds memory that a grouping over it needs: a key check over a
    50-million-row view ran out of a 1.4 GB limit with it, and passes without it."""
    return temporary_setting(con, "preserve_insertion_order", "false")


def ordered_select(relation: str, spec: TableSpec) -> str:
    """SELECT of the spec's columns in order, rows ordered by the primary key."""
    order = ", ".join(quote_ident(c) for c in spec.primary_key)
    return f"SELECT {spec.select_list()} FROM {relation} ORDER BY {order}"  # noqa: S608


def batches_read_ahead(
    con: duckdb.DuckDBPyConnection,
    queries: list[str],
    batch_rows: int,
    ahead: int,
    convert: Callable[[pyarrow.RecordBatch], pyarrow.RecordBatch] | None = None,
) -> Iterator[pyarrow.RecordBatch]:
    """The queries' rows as Arrow batches, one query after the other, in order, read (and
    `convert`ed) on a thread of their own up to `ahead` batches before the caller uses them: so
    DuckDB scans while the caller compresses and writes, on the other core. The connection is
    that thread's alone until its last batch is read or the caller stops early; either way the
    thread has ended, its result closed, when this generator is closed. An error of the thread
    (DuckDB out of memory) is raised here, as it was raised there."""
    handoff: queue.Queue = queue.Queue(maxsize=ahead)
    stop = threading.Event()
    finished = object()

    def hand(item) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for query in queries:
                with con.sql(query).to_arrow_reader(batch_rows) as reader:
                    for batch in reader:
                        if not hand(convert(batch) if convert else batch):
                            return
            hand(finished)
        except BaseException as err:  # noqa: BLE001 (raised again in the caller's thread)
            hand(err)

    thread = threading.Thread(target=read, name="duckdb-read-ahead", daemon=True)
    thread.start()
    try:
        while (item := handoff.get()) is not finished:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()
