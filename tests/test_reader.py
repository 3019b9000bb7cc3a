"""The one reader (transforms/sources/reader.py) on small files written here: physical lines (a
record spanning lines included), types checked cell by cell for text and trusted for typed
Parquet columns, optional columns, and reads bounded by `stat` before any byte is read.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.schemas import rules as r
from pipeline.schemas.spec import BOOL, DATE, DECIMAL, FLOAT, INT, STRING, Field, TableSpec
from pipeline.transforms import files
from pipeline.transforms.sources.reader import read_table
from tests.harness import memory_db

SPEC = TableSpec(
    name="sample",
    description="A sample.",
    fields=(
        Field("id", INT, "Key.", rules=(r.positive(),)),
        Field("note", STRING, "Free text.", True),
        Field("score", FLOAT, "A number.", True),
        Field("day", DATE, "A date.", True),
        Field("amount", DECIMAL, "Money.", True),
        Field("flag", BOOL, "A flag.", True),
    ),
    primary_key=("id",),
)
HEADER = "id,note,score,day,amount,flag\n"


def read(tmp_path: Path, text: str | bytes, name="sample.csv", optional=(), limit=10_000):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    con = memory_db()
    result = read_table(con, path, tmp_path, SPEC, '"t"', max_bytes=limit, optional=optional)
    rows = con.execute('SELECT * FROM "t" ORDER BY line').fetchall() if result.relation else []
    return result, rows


def test_cells_are_typed_and_each_row_keeps_its_physical_line(tmp_path):
    result, rows = read(tmp_path, HEADER + "1,a,0.5,2022-02-28,12.50,true\n2,,-1e3,,,false\n")
    assert result.problems == [] and result.rows == 2
    assert rows == [
        (1, "a", 0.5, __import__("datetime").date(2022, 2, 28), Decimal("12.50"), True, 2),
        (2, None, -1000.0, None, None, False, 3),
    ]


def test_a_record_spanning_lines_moves_the_lines_of_the_records_after_it(tmp_path):
    text = HEADER + '1,"two\nlines",,,,\n2,x,,,,\n3,"three\nmore\nlines",,,,\n4,y,,,,\n'
    result, rows = read(tmp_path, text)
    assert result.problems == []
    assert [(row[0], row[-1]) for row in rows] == [(1, 2), (2, 4), (3, 5), (4, 8)]


@pytest.mark.parametrize(
    ("cells", "column", "value", "rule"),
    [
        ("2022.5,a,,,,", "id", "2022.5", "an integer"),
        ("1e3,a,,,,", "id", "1e3", "an integer"),
        ("١٢,a,,,,", "id", "١٢", "an integer"),
        ("1,a,NaN,,,", "score", "NaN", "a number"),
        ("1,a,0x10,,,", "score", "0x10", "a number"),
        ("1,a,,31.02.2022,,", "day", "31.02.2022", "a real calendar date YYYY-MM-DD"),
        ("1,a,,2022-02-30,,", "day", "2022-02-30", "a real calendar date YYYY-MM-DD"),
        ('1,a,,,"1,000.00",', "amount", "1,000.00", "an amount with at most 2 decimals"),
        ("1,a,,,€174,", "amount", "€174", "an amount with at most 2 decimals"),
        ("1,a,,,,yes", "flag", "yes", "true or false"),
    ],
)
def test_a_cell_of_the_wrong_type_is_named_by_line_column_and_value(
    tmp_path, cells, column, value, rule
):
    result, rows = read(tmp_path, HEADER + "9,ok,,,,\n" + cells + "\n")
    (problem,) = result.problems
    assert (problem.line, problem.column, problem.value) == (3, column, value)
    assert problem.rule.startswith(rule)
    assert rows[1][SPEC.column_names.index(column)] is None, "a mistyped cell is not guessed"


def test_optional_columns_may_be_absent_and_are_empty(tmp_path):
    result, rows = read(tmp_path, "id,note\n1,a\n", optional=("score", "day", "amount", "flag"))
    assert result.problems == [] and result.columns == ["id", "note"]
    assert rows == [(1, "a", None, None, None, None, 2)]


def test_a_parquet_file_with_typed_columns_is_trusted_and_text_columns_are_checked(tmp_path):
    typed = pa.table({"id": pa.array([1, 2], pa.int32()), "note": ["a", "b"]})
    pq.write_table(typed, tmp_path / "typed.parquet")
    con = memory_db()
    optional = ("score", "day", "amount", "flag")
    ok = read_table(
        con, tmp_path / "typed.parquet", tmp_path, SPEC, '"t"', max_bytes=10**6, optional=optional
    )
    assert ok.problems == [] and ok.unit == "row"
    text = pa.table({"id": ["1", "2.5"], "note": ["a", "b"]})
    pq.write_table(text, tmp_path / "text.parquet")
    bad = read_table(
        con, tmp_path / "text.parquet", tmp_path, SPEC, '"t"', max_bytes=10**6, optional=optional
    )
    (problem,) = bad.problems
    assert (problem.row, problem.column, problem.value) == ("2", "id", "2.5")
    assert problem.message().startswith("raw/text.parquet, row 2, column 'id'")


def test_a_parquet_file_with_a_damaged_page_is_a_problem_naming_the_file(tmp_path):
    """A flipped byte in a compressed page (its zstd frame's magic number) is found when the
    rows are read, after the footer was read fine: one problem, not DuckDB's exception."""
    rows = 10_000
    table = pa.table({"id": pa.array(range(1, rows + 1), pa.int32()), "note": ["a"] * rows})
    path = tmp_path / "damaged.parquet"
    pq.write_table(table, path, compression="zstd")
    data = bytearray(path.read_bytes())
    frame = data.index(b"\x28\xb5\x2f\xfd")  # the first zstd frame: a data page
    data[frame] ^= 0xFF
    path.write_bytes(bytes(data))
    con = memory_db()
    optional = ("score", "day", "amount", "flag")
    read = read_table(con, path, tmp_path, SPEC, '"t"', max_bytes=10**6, optional=optional)
    (problem,) = read.problems
    assert problem.message().startswith("raw/damaged.parquet")
    assert "a readable Parquet file" in problem.message()
    assert "ZSTD" in problem.message(), problem.message()
    assert read.relation is None


def test_reads_are_bounded_by_stat_before_a_byte_is_read(tmp_path):
    huge = tmp_path / "huge.csv"
    huge.write_text(HEADER)
    os.truncate(huge, 3 * 10**9)  # sparse: claims 3 GB, writes nothing
    with pytest.raises(files.FileRefused, match="is 3.0 GB, the limit is 10.0 kB"):
        files.check_readable(huge, tmp_path, 10_000)
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(files.FileRefused, match="is a directory, not a regular file"):
        files.check_readable(tmp_path / "folder.csv", tmp_path, 10_000)
    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(files.FileRefused, match="is a named pipe, not a regular file"):
        files.check_readable(tmp_path / "pipe.csv", tmp_path, 10_000)
    (tmp_path / "zero.csv").symlink_to("/dev/zero")
    with pytest.raises(files.FileRefused, match=r"is a symlink to a device \(/dev/zero\)"):
        files.read_bounded(tmp_path / "zero.csv", tmp_path, 10_000)
    inside = tmp_path / "inside"
    inside.mkdir()
    (inside / "link.csv").symlink_to(huge)
    with pytest.raises(files.FileRefused, match="which resolves outside inside/"):
        files.check_readable(inside / "link.csv", inside, 10**10)


def test_a_symlink_inside_the_root_is_read_like_its_target(tmp_path):
    (tmp_path / "real.csv").write_text(HEADER + "1,a,,,,\n")
    (tmp_path / "alias.csv").symlink_to(tmp_path / "real.csv")
    con = memory_db()
    result = read_table(con, tmp_path / "alias.csv", tmp_path, SPEC, '"t"', max_bytes=10**6)
    assert result.problems == [] and result.rows == 1


# --- a header's one recognisable cause, in one line -------------------------------------------


def test_a_header_that_differs_only_in_case_is_one_line_naming_each_column(tmp_path):
    result, rows = read(tmp_path, "ID,Note,score,DAY,amount,flag\n1,a,,,,\n")
    (problem,) = result.problems
    assert (problem.line, problem.column) == (1, None) and rows == []
    assert problem.message() == (
        "raw/sample.csv, line 1: header differs from the spec only in case: ID → id, Note → note, "
        "DAY → day"
    )
    upper = read(tmp_path, HEADER.upper() + "1,a,,,,\n", name="upper.csv")[0]
    assert [p.message() for p in upper.problems] == [
        "raw/upper.csv, line 1: header differs from the spec only in case: ID → id, "
        "NOTE → note, SCORE → score and 3 more"
    ]
    assert upper.problems[0].value.endswith("FLAG → flag"), "the record lists every column"


def test_a_header_in_another_case_and_a_renamed_column_are_both_named(tmp_path):
    result, _ = read(tmp_path, "ID,note,score,day,amount,flags\n1,a,,,,\n")
    assert [(p.column, p.rule) for p in result.problems] == [
        (None, "column names are written as in the spec"),
        ("flag", "column required by the spec is present"),
        ("flags", "column is in the spec (unexpected or renamed column)"),
    ]
    assert "only in case: ID → id" in result.problems[0].message()


@pytest.mark.parametrize(("delimiter", "kind"), [(";", "semicolon"), ("\t", "tab"), ("|", "pipe")])
@pytest.mark.parametrize("quoted", [False, True], ids=["plain", "quoted"])
def test_a_file_with_another_delimiter_is_one_line_naming_it(tmp_path, delimiter, kind, quoted):
    names = [f'"{n}"' if quoted else n for n in SPEC.column_names]
    text = delimiter.join(names) + "\n" + delimiter.join(["1", "a,b", "0,5", "", "", ""]) + "\n"
    result, rows = read(tmp_path, text)
    (problem,) = result.problems
    assert problem.message() == (
        f"raw/sample.csv, line 1: the file looks {kind}-delimited; this project reads "
        "comma-separated CSV (RFC 4180)"
    )
    assert (problem.rule, problem.value) == ("comma-separated CSV (RFC 4180)", f"{kind}-delimited")
    assert rows == []


def test_a_comma_separated_header_with_a_semicolon_in_a_name_is_not_taken_for_another_delimiter(
    tmp_path,
):
    result, _ = read(tmp_path, "id,note;x,score,day,amount,flag\n1,a,,,,\n")
    assert [(p.column, p.rule) for p in result.problems] == [
        ("note", "column required by the spec is present"),
        ("note;x", "column is in the spec (unexpected or renamed column)"),
    ]


def test_parquet_column_names_in_another_case_are_one_problem_without_a_line(tmp_path):
    pq.write_table(
        pa.table({"Id": pa.array([1], pa.int32()), "NOTE": ["a"]}), tmp_path / "u.parquet"
    )
    optional = ("score", "day", "amount", "flag")
    result = read_table(
        memory_db(),
        tmp_path / "u.parquet",
        tmp_path,
        SPEC,
        '"t"',
        max_bytes=10**6,
        optional=optional,
    )
    assert [p.message() for p in result.problems] == [
        "raw/u.parquet: column names differ from the spec only in case: Id → id, NOTE → note"
    ]
