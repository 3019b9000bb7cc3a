"""Batches read ahead on a thread (transforms/duck.py, used by every export): the same rows in
the same order as a plain read, the reader's errors raised in the caller with their own type,
and no thread or open result left when the caller stops early or fails."""

from __future__ import annotations

import threading

import duckdb
import pyarrow
import pytest

from pipeline.transforms.duck import batches_read_ahead

QUERIES = [
    "SELECT range AS n, 'a' || range AS label FROM range(0, 250000)",
    "SELECT range AS n, NULL::VARCHAR AS label FROM range(250000, 250100)",
    "SELECT range AS n, 'c' AS label FROM range(0) ",  # no rows
    "SELECT range AS n, 'd' AS label FROM range(250100, 300000)",
]


@pytest.fixture
def con(tmp_path):
    con = duckdb.connect(str(tmp_path / "read ahead.duckdb"))
    con.execute("SET threads = 1")
    yield con
    con.close()


def readers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "duckdb-read-ahead"]


def plain(con, queries) -> pyarrow.Table:
    return pyarrow.concat_tables(con.sql(q).to_arrow_table() for q in queries)


def test_the_same_rows_in_the_same_order(con):
    read = list(batches_read_ahead(con, QUERIES, 10_000, 2))
    assert max(b.num_rows for b in read) <= 10_000
    assert pyarrow.Table.from_batches(read).equals(plain(con, QUERIES))
    assert not readers()


def test_batches_are_converted_on_the_reading_thread(con):
    seen = set()

    def convert(batch):
        seen.add(threading.current_thread().name)
        return batch.select(["n"])

    read = list(batches_read_ahead(con, QUERIES[:1], 50_000, 1, convert))
    assert seen == {"duckdb-read-ahead"} and [b.schema.names for b in read[:1]] == [["n"]]
    assert sum(b.num_rows for b in read) == 250_000


def test_an_error_of_the_reader_is_raised_in_the_caller(con):
    failing = (
        "SELECT CAST(CASE WHEN range < 200000 THEN '1' ELSE 'x' END AS INTEGER) FROM range(300000)"
    )
    batches = batches_read_ahead(con, [QUERIES[0], failing], 10_000, 2)
    with pytest.raises(OSError, match="Conversion Error"):  # as pyarrow's reader raises it
        for _ in batches:
            pass
    assert not readers()
    assert con.execute("SELECT 42").fetchall() == [(42,)]  # the connection is free again

    def broken(batch):
        raise ValueError("no such column")

    with pytest.raises(ValueError, match="no such column"):
        list(batches_read_ahead(con, QUERIES, 10_000, 2, broken))
    assert not readers()


def test_a_caller_that_stops_early_leaves_no_thread_and_a_free_connection(con):
    batches = batches_read_ahead(con, QUERIES, 1_000, 2)
    first = next(batches)
    assert first.num_rows == 1_000 and len(readers()) == 1
    batches.close()
    assert not readers()
    assert con.execute("SELECT count(*) FROM range(7)").fetchall() == [(7,)]
