"""The one reader: every tabular file the pipeline reads (a transcription in raw/paper/, a
long-format source in raw/indicators/, a downloaded CSV) goes through `read_table`, which

1. checks the file from `stat` (regular, inside its root, within its size limit;
   transforms/files.py);
2. for CSV, checks the bytes in one streamed pass that also computes the sha256: UTF-8 without
   a byte-order mark, LF line ends, a final newline (csv_bytes.py);
3. checks the header against the spec (optional columns may be absent; header.py, which names
   a header in another case or a file with another delimiter as such);
4. reads it with DuckDB's CSV reader (strict quoting and field counts) or Parquet reader, each
   row keeping its physical line (CSV, header = line 1) or row (Parquet);
5. type-checks every cell with one set of rules (plain ASCII integers, plain numbers, ISO dates,
   amounts without separators), so 2022.5, 1e3, '€174' or 31.02.2022 are refused by value; a
   Parquet column stored in the spec's own type is trusted (its schema is checked once;
   cell_types.py);
6. leaves a typed table with the spec's columns plus `line`.

Steps 4 to 6 are one pass over the file (one parallel CREATE TABLE AS that types and flags; a
CSV's lines are then added from the rows' order); only a file with a flagged cell, a malformed
record or a record spanning lines is read a second time, by the diagnosing path that keeps the
cells as text and names line, column and value.

Value rules then run on that table, as its pandera schema inside DuckDB (transforms/validation.py).
Every problem names the file, the line, the column and the rule.

Every step puts its problems into one `Read` record (read_result.py).

Belongs here: `read_table` and step 4, reading CSV and Parquet. Stays out: the other steps'
checks (above), value rules (schemas/), Dagster.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.schemas.rules import sql_literal
from pipeline.schemas.spec import TableSpec, quote_ident
from pipeline.transforms import files
from pipeline.transforms.sources.cell_types import (
    build_typed,
    native,
    type_problems,
    typed_columns,
)
from pipeline.transforms.sources.csv_bytes import scan_text
from pipeline.transforms.sources.header import check_columns, header_columns
from pipeline.transforms.sources.read_result import EXAMPLES_PER_RULE, Read

MAX_LINE_BYTES = 8_000_000  # DuckDB's limit per CSV line (a transcription is at most 5 MB)
TEXT_TABLE = "reader_text"  # the file's cells as text, before typing (diagnosing path)
STAGED_TABLE = "reader_typed"  # a CSV's typed cells, before their lines are added (fast path)


def read_table(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    root: Path,
    spec: TableSpec,
    target: str,
    *,
    max_bytes: int,
    optional: tuple[str, ...] = (),
    label: str = "raw",
    header_aliases: dict[str, str] | None = None,
    null_text: tuple[str, ...] = (),
) -> Read:
    """Read `path` (CSV or Parquet) into the table `target` (a quoted, qualified name), typed by
    `spec`, with a `line` column. A CSV's header names may be renamed (`header_aliases`, e.g. an
    R export's unnamed first column) and cells equal to one of `null_text` (e.g. R's 'NA') are
    missing, like empty ones. Never raises on bad data: problems are collected."""
    read = Read(files.shown(path, root, label))
    try:
        files.check_readable(path, root, max_bytes)
    except files.FileRefused as refused:
        return read.problem(
            "a readable regular file inside the project, within its size limit", str(refused)
        )
    if path.suffix == ".parquet":
        read.unit = "row"
        read.sha256 = files.sha256_file(path)
        return _read_parquet(con, path, spec, target, optional, read)
    header = scan_text(path, read)
    if read.problems:
        return read
    read.columns = header_columns(header, spec, optional, read, header_aliases or {})
    if read.problems:
        return read
    return _read_csv(con, path, spec, target, read, null_text)


# --- 4. CSV and Parquet ----------------------------------------------------------------------
#
# The fast path reads a file once: DuckDB parses it, in parallel, and a single CREATE TABLE AS
# types every cell by the rules of cell_types.py (a column stored in the spec's own Parquet type
# is trusted: its schema was checked once) and flags the rows where a cell breaks its rule (a
# CSV's lines are then added from the rows' order: numbering them while reading would take one
# thread, the window function `row_number() OVER ()` serialises the read). Only when a row is
# flagged, or the file is not well-formed CSV, or a record spans lines, is the file read again by
# the diagnosing path, which keeps the cells as text and names line, column and value.


def _read_csv(con, path: Path, spec: TableSpec, target: str, read: Read, null_text) -> Read:
    """The fast path: DuckDB reads the file in parallel into a typed, flagged temporary table;
    a table keeps its rows in file order, so each record's line is its rowid + 2 (the header is
    line 1) when no record spans lines, which the count of rows against line breaks tells."""
    columns = typed_columns(spec, read.columns)
    try:
        faults = build_typed(
            con, spec, STAGED_TABLE, _csv(path, read, null_text), read, columns, None
        )
    except duckdb.OutOfMemoryException:  # not the file's fault: the refresh says which setting
        raise
    except duckdb.Error:  # not well-formed: the diagnosing read names the lines
        faults = None
    if faults is None or faults or (read.rows and read.rows != read.newlines - 1):
        con.execute(f"DROP TABLE IF EXISTS {STAGED_TABLE}")
        read.relation, read.rows = None, 0
        return _diagnose_csv(con, path, spec, target, read, null_text)
    if read.rows == 0:
        con.execute(f"DROP TABLE {STAGED_TABLE}")
        read.relation = None
        return read.problem("file has at least one data row")
    con.execute(
        f"CREATE OR REPLACE TABLE {target} AS SELECT *, rowid + 2 AS line FROM {STAGED_TABLE}"  # noqa: S608
    )
    con.execute(f"DROP TABLE {STAGED_TABLE}")
    read.relation = target
    return read


def _csv(path: Path, read: Read, null_text, rejects: bool = False) -> str:
    """DuckDB's strict CSV reader over the file, every column as text."""
    types = "{" + ", ".join(f"{sql_literal(n)}: 'VARCHAR'" for n in read.columns) + "}"
    nulls = "[" + ", ".join(sql_literal(t) for t in ("", *null_text)) + "]"
    kept = (
        "store_rejects=true, rejects_table='reader_rejects', rejects_scan='reader_scans', "
        if rejects
        else ""
    )
    return (
        f"read_csv({sql_literal(str(path))}, header=true, auto_detect=false, columns={types}, "
        f"nullstr={nulls}, "
        "delim=',', quote='\"', escape='\"', new_line='\\n', strict_mode=true, "
        f"null_padding=false, {kept}max_line_size={MAX_LINE_BYTES})"
    )


def _diagnose_csv(con, path: Path, spec: TableSpec, target: str, read: Read, null_text) -> Read:
    """The file's cells as text, each record on its physical line, every fault named."""
    con.execute("DROP TABLE IF EXISTS reader_rejects; DROP TABLE IF EXISTS reader_scans")
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {TEXT_TABLE} AS "  # noqa: S608 (path is a literal)
        f"SELECT row_number() OVER () + 1 AS line, * "
        f"FROM {_csv(path, read, null_text, rejects=True)}"
    )
    rejects = con.execute(
        "SELECT line, column_name, error_type, error_message FROM reader_rejects "  # noqa: S608
        f"ORDER BY line LIMIT {EXAMPLES_PER_RULE}"
    ).fetchall()
    for line, column, kind, message in rejects:
        read.problem(
            f"well-formed CSV ({kind.lower()})",
            message,
            line=int(line),
            column=column,
            fix="check the quotes and delimiters on this line",
        )
    if read.problems:
        return read
    rows = con.execute(f"SELECT count(*) FROM {TEXT_TABLE}").fetchall()[0][0]  # noqa: S608
    if rows == 0:
        return read.problem("file has at least one data row")
    if rows != read.newlines - 1:  # some quoted field holds a line break
        _number_multiline_records(con, read.columns)
    checked = typed_columns(spec, read.columns)
    type_problems(con, spec, TEXT_TABLE, checked, read)
    build_typed(con, spec, target, TEXT_TABLE, read, checked)
    con.execute(f"DROP TABLE {TEXT_TABLE}")
    return read


def _number_multiline_records(con, columns: list[str]) -> None:
    """The physical line of each record when some span several lines: line 1 is the header;
    a record spans one line plus the line breaks quoted inside its fields."""
    breaks = " + ".join(
        f"coalesce(length({quote_ident(c)}) - length(replace({quote_ident(c)}, chr(10), '')), 0)"
        for c in columns
    )
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {TEXT_TABLE} AS SELECT * REPLACE ("  # noqa: S608
        f"2 + coalesce(sum(1 + {breaks}) OVER (ORDER BY line ROWS BETWEEN UNBOUNDED PRECEDING "
        f"AND 1 PRECEDING), 0) AS line) FROM {TEXT_TABLE}"
    )


def _read_parquet(con, path: Path, spec, target, optional, read: Read) -> Read:
    source = f"read_parquet({sql_literal(str(path))}, file_row_number=true)"
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()  # noqa: S608
    except duckdb.Error as err:
        return read.problem("a readable Parquet file", str(err).splitlines()[0])
    stored = {row[0]: row[1] for row in described if row[0] != "file_row_number"}
    read.columns = list(stored)
    check_columns(read.columns, spec, optional, read)
    if read.problems:
        return read
    rows = f"(SELECT file_row_number + 1 AS line, * EXCLUDE (file_row_number) FROM {source})"  # noqa: S608
    # A column stored in the spec's own type is trusted (its schema was checked once, here);
    # any other is checked cell by cell, as text, like a CSV (2022.5 is not an integer).
    checked = [n for n in typed_columns(spec, read.columns) if not native(spec.field(n), stored[n])]
    try:
        if build_typed(con, spec, target, rows, read, checked):
            type_problems(con, spec, rows, checked, read)
    except duckdb.OutOfMemoryException:  # not the file's fault: the refresh says which setting
        raise
    except duckdb.Error as err:  # a damaged page or footer: named, with DuckDB's first line
        con.execute(f"DROP TABLE IF EXISTS {target}")
        read.relation, read.rows = None, 0
        return read.problem("a readable Parquet file", str(err).splitlines()[0])
    return read
