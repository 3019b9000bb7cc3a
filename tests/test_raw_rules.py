"""Every transcription rule, at unit level: the committed files pass, and a file broken in one
way is refused with a Problem that names the file, the line (header = line 1), the column and the
rule. The cases below count data rows (row 1 is line 2), as a reader of the CSV would.

Each case edits a tmp copy of raw/ (the `raw_dir` fixture) and reads it with the one reader on
an in-memory DuckDB. `edit_csv` re-records the checksum so the check under test is reached
instead of the origin record's checksum rule.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.schemas.raw import RAW_BY_NAME, RAW_TABLES
from pipeline.settings import REPO_ROOT
from pipeline.transforms.problems import Problem
from pipeline.transforms.sources.transcriptions import read_transcriptions
from tests.harness import edit_csv, memory_db, rechecksum

RAW_DIR = REPO_ROOT / "raw"


def csv_of(raw_dir: Path, table: str) -> Path:
    return raw_dir / RAW_BY_NAME[table].relative_path


def shown(table: str) -> str:
    return f"raw/{RAW_BY_NAME[table].relative_path}"


def read_one(raw_dir: Path, table: str):
    (result,) = read_transcriptions(memory_db(), raw_dir, (RAW_BY_NAME[table],))
    return result


def problems_of(raw_dir: Path, table: str) -> list[Problem]:
    result = read_one(raw_dir, table)
    return result.origin_problems + result.row_problems


# Tables a cross-file rule of a table compares it with, beyond its foreign keys.
COMPARED_WITH = {"table2_kazakhstan_ranks": ["table1_ranks"], "figure1_bars": ["countries"]}


def relation_problems_of(raw_dir: Path, table: str) -> list[Problem]:
    """The table's problems when read with every table its rules point at."""
    needed = [table, *(k.ref_table for k in RAW_BY_NAME[table].foreign_keys)]
    needed += COMPARED_WITH.get(table, [])
    tables = [t for t in RAW_TABLES if t.name in needed]
    results = read_transcriptions(memory_db(), raw_dir, tables)
    assert all(r.relation is not None for r in results), "every file must still parse"
    return next(r.row_problems for r in results if r.table.name == table)


def find(problems: list[Problem], *, file, column, rule, row=None, line=None) -> Problem:
    """The one problem at (file, place, column) whose rule contains `rule`, the place given as
    a data `row` of a CSV (row N is line N + 1) or a `line` of a record (neither: the whole
    file). Fails otherwise."""
    line = line if row is None else row + 1
    hits = [
        p
        for p in problems
        if p.file == file and p.line == line and p.column == column and rule in p.rule
    ]
    assert len(hits) == 1, (
        f"expected one {rule!r} at {file} line {line} column {column}: {problems}"
    )
    return hits[0]


def write_bytes_with_checksum(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    rechecksum(path)


# --- the committed files ---------------------------------------------------------------------


def test_every_committed_transcription_passes_every_rule_and_agrees_with_the_others():
    con = memory_db()
    results = read_transcriptions(con, RAW_DIR)
    assert [r.table for r in results] == list(RAW_TABLES)
    for result in results:
        assert result.origin_problems + result.row_problems == [], result.shown
        assert result.relation is not None and result.rows > 0
        columns = [row[0] for row in con.execute(f"DESCRIBE {result.relation}").fetchall()]
        assert columns == [*result.table.spec.column_names, "line"]
        lines = con.execute(f"SELECT min(line), count(*) FROM {result.relation}").fetchall()  # noqa: S608
        assert lines == [(2, result.rows)]


# --- value rules within one file -------------------------------------------------------------

# (case id, table, old text, new text, data row, column, rule substring)
VALUE_CASES = [
    (
        "rank above n_ranked",
        "table1_ranks",
        "2022,65,140,",
        "2022,141,140,",
        1,
        "rank",
        "rank <= n_ranked",
    ),
    ("rank 0", "table1_ranks", "2022,65,140,", "2022,0,140,", 1, "rank", "at least 1"),
    ("negative rank", "table1_ranks", "2022,65,140,", "2022,-3,140,", 1, "rank", "at least 1"),
    ("non-integer rank", "table1_ranks", "2022,65,140,", "2022,6x,140,", 1, "rank", "an integer"),
    (
        "empty rank without missing_reason",
        "table1_ranks",
        "2022,65,140,",
        "2022,,140,",
        1,
        "missing_reason",
        "an empty rank has a missing_reason",
    ),
    (
        "table2 rank above n_ranked",
        "table2_kazakhstan_ranks",
        "2022,9,14,",
        "2022,15,14,",
        1,
        "rank",
        "rank <= n_ranked",
    ),
    (
        "impossible date 2022-02-30",
        "timeline_events",
        "ev_2019_tokayev_presidential_election,2019-03-20,day",
        "ev_2019_tokayev_presidential_election,2022-02-30,day",
        8,
        "event_date",
        "a real calendar date",
    ),
    (
        "month precision not on day 01",
        "timeline_events",
        "2022-03-01,month",
        "2022-03-15,month",
        22,
        "event_date",
        "event_date agrees with date_precision",
    ),
    (
        "year precision not on 01-01",
        "timeline_events",
        "ev_1953_convention_human_rights,1953-01-01,year",
        "ev_1953_convention_human_rights,1953-06-01,year",
        1,
        "event_date",
        "event_date agrees with date_precision",
    ),
    (
        "date in the future",
        "timeline_events",
        "ev_2019_tokayev_presidential_election,2019-03-20,day",
        "ev_2019_tokayev_presidential_election,2999-03-20,day",
        8,
        "event_date",
        "not in the future",
    ),
    (
        "accessed date in the future",
        "references",
        "2023-03-09",
        "2999-03-09",
        3,
        "accessed_date",
        "not in the future",
    ),
    (
        "unknown date precision",
        "timeline_events",
        "2022-03-01,month",
        "2022-03-01,week",
        22,
        "date_precision",
        "one of",
    ),
    (
        "negative amount",
        "funding_claims",
        "1000000000.00,EUR,about",
        "-1000000000.00,EUR,about",
        1,
        "amount_eur",
        "at least 0",
    ),
    (
        "amount with thousands separator",
        "funding_claims",
        "1000000000.00,EUR,about",
        '"1,000,000,000.00",EUR,about',
        1,
        "amount_eur",
        "no thousands separators",
    ),
    (
        "amount with three decimals",
        "funding_claims",
        "1000000000.00,EUR,about",
        "1000000000.001,EUR,about",
        1,
        "amount_eur",
        "at most 2 decimals",
    ),
    (
        "currency other than EUR",
        "funding_claims",
        "1000000000.00,EUR,about",
        "1000000000.00,USD,about",
        1,
        "currency",
        "one of ['EUR']",
    ),
    (
        "amount and missing reason both empty",
        "funding_claims",
        "No 2014-2020 figure was found in any source the project holds",
        "",
        11,
        "amount_eur",
        "an amount or a reason it is missing, not both",
    ),
    (
        "period ends before it starts",
        "funding_claims",
        "all_eu_support,EU financial support for "
        "the protection of rights and freedoms in Central Asia,2014,2020",
        "all_eu_support,EU financial support for the protection of rights and freedoms in Central "
        "Asia,2021,2020",
        1,
        "period_end_year",
        "period_start_year <= period_end_year",
    ),
    (
        "text starting with = (formula)",
        "references",
        "Afzal A,2004,Human rights in Central Asia",
        'Afzal A,2004,=HYPERLINK("http://x")',
        1,
        "title",
        "spreadsheet formula",
    ),
    (
        "text starting with @ (formula)",
        "references",
        "Afzal A,2004,",
        "@Afzal A,2004,",
        1,
        "authors",
        "spreadsheet formula",
    ),
    (
        "control character in text",
        "references",
        "Human rights in Central Asia",
        "Human rights\x07 in Central Asia",
        1,
        "title",
        "no control characters",
    ),
    (
        "leading whitespace in text",
        "references",
        "Afzal A,2004,",
        " Afzal A,2004,",
        1,
        "authors",
        "no leading or trailing whitespace",
    ),
    (
        "lowercase country code",
        "countries",
        "KAZ,KZ,Kazakhstan",
        "kaz,KZ,Kazakhstan",
        5,
        "country_iso3",
        "three capital letters",
    ),
    (
        "boolean written yes",
        "countries",
        "KAZ,KZ,Kazakhstan,iso_3166_1,true",
        "KAZ,KZ,Kazakhstan,iso_3166_1,yes",
        5,
        "is_central_asia",
        "true or false",
    ),
    (
        "figure label not two capital letters",
        "figure1_bars",
        "2,TD,",
        "2,Td,",
        2,
        "label_as_printed",
        "two capital letters",
    ),
]


@pytest.mark.parametrize(
    ("table", "old", "new", "row", "column", "rule"),
    [pytest.param(*case[1:], id=case[0]) for case in VALUE_CASES],
)
def test_value_rule_refuses_the_broken_cell(raw_dir, table, old, new, row, column, rule):
    assert problems_of(raw_dir, table) == []
    edit_csv(csv_of(raw_dir, table), old, new)
    find(problems_of(raw_dir, table), file=shown(table), row=row, column=column, rule=rule)


def test_non_integer_rank_keeps_the_offending_text(raw_dir):
    edit_csv(csv_of(raw_dir, "table1_ranks"), "2022,65,140,", "2022,6x,140,")
    problem = find(
        problems_of(raw_dir, "table1_ranks"),
        file=shown("table1_ranks"),
        row=1,
        column="rank",
        rule="an integer",
    )
    assert problem.value == "6x"


@pytest.mark.parametrize(
    "cell",
    [
        pytest.param("٦٥", id="Arabic-Indic digits"),
        pytest.param("６５", id="full-width digits"),
        pytest.param('"65\n"', id="quoted with a trailing newline"),
    ],
)
def test_integer_cell_must_be_plain_ascii_digits(raw_dir, cell):
    """'Parsed strictly': a rank that only looks like 65 must not be read as 65."""
    edit_csv(csv_of(raw_dir, "table1_ranks"), "2022,65,140,", f"2022,{cell},140,")
    find(
        problems_of(raw_dir, "table1_ranks"),
        file=shown("table1_ranks"),
        row=1,
        column="rank",
        rule="an integer",
    )


def test_amount_must_be_plain_ascii_digits(raw_dir):
    """A full-width amount passes the raw rule today and only fails later, in DuckDB's CAST,
    without file, row or column."""
    edit_csv(csv_of(raw_dir, "funding_claims"), "1000000000.00,EUR,about", "１０００.00,EUR,about")
    find(
        problems_of(raw_dir, "funding_claims"),
        file=shown("funding_claims"),
        row=1,
        column="amount_eur",
        rule="no thousands separators",
    )


def test_empty_rank_with_missing_reason_passes(raw_dir):
    edit_csv(
        csv_of(raw_dir, "table1_ranks"),
        "65** (66 in 2021),2022,65,140,Table 1 note **: a total of 140 countries are represented "
        "in the rating,66,2021,**,,",
        "–,2022,,,,,,**,no data,",
    )
    assert problems_of(raw_dir, "table1_ranks") == []


def test_duplicate_primary_key_reports_both_rows(raw_dir):
    path = csv_of(raw_dir, "references")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    write_bytes_with_checksum(path, "".join([*lines, lines[2]]).encode())  # row 2 again
    problems = problems_of(raw_dir, "references")
    last_row = len(lines)  # header + n rows, plus the copy: the copy is data row len(lines)
    for row in (2, last_row):
        problem = find(
            problems,
            file=shown("references"),
            row=row,
            column="reference_key",
            rule="key (reference_key) is unique",
        )
        assert problem.value == "alexandrov2018"


def test_duplicate_composite_key_names_all_key_columns(raw_dir):
    path = csv_of(raw_dir, "table1_ranks")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    duplicate = lines[1].replace("1,1,Global rating", "10,1,Global rating", 1)
    write_bytes_with_checksum(path, "".join([*lines, duplicate]).encode())
    find(
        problems_of(raw_dir, "table1_ranks"),
        file=shown("table1_ranks"),
        row=1,
        column="row_label, country_name",
        rule="key (row_label, country_name) is unique",
    )


# --- rules across files ----------------------------------------------------------------------

# (case id, table edited, old, new, table reported on, data row, column, rule, value)
RELATION_CASES = [
    (
        "table2 global rank differs from table1",
        "table2_kazakhstan_ranks",
        "106/140***,2022,106,140",
        "106/140***,2022,107,140",
        "table2_kazakhstan_ranks",
        3,
        "rank",
        "global rank equals Table 1's Kazakhstan rank",
        "107 vs Table 1: 106",
    ),
    (
        "table1 kazakhstan rank differs from table2",
        "table1_ranks",
        "106,2022,106,140",
        "105,2022,105,140",
        "table2_kazakhstan_ranks",
        3,
        "rank",
        "global rank equals Table 1's Kazakhstan rank",
        "106 vs Table 1: 105",
    ),
    (
        "figure label TD mapped to TCD (Chad)",
        "figure1_bars",
        "TD,Tajikistan,TJK",
        "TD,Tajikistan,TCD",
        "figure1_bars",
        2,
        "country_iso3",
        "label maps to the country whose paper_codes list it",
        "TD -> TCD",
    ),
    (
        "figure label TR mapped to TUR (ISO lookalike)",
        "figure1_bars",
        "TR,Turkmenistan,TKM",
        "TR,Turkmenistan,TUR",
        "figure1_bars",
        3,
        "country_iso3",
        "label maps to the country whose paper_codes list it",
        "TR -> TUR",
    ),
    (
        "unknown country code in timeline",
        "timeline_events",
        "KAZ;KGZ;TJK;TKM;UZB",
        "KAZ;KGZ;TJK;TKM;XYZ",
        "timeline_events",
        4,
        "country_iso3s",
        "every value is a known countries.country_iso3",
        "XYZ",
    ),
    (
        "unknown citation key in timeline",
        "timeline_events",
        ",rollan2021,",
        ",rollan2021;no_such_reference,",
        "timeline_events",
        8,
        "citation_keys",
        "every value is a known references.reference_key",
        "no_such_reference",
    ),
    (
        "reference check of an unknown reference",
        "reference_checks",
        "afzal2004,not_checked",
        "afzal2005,not_checked",
        "reference_checks",
        1,
        "reference_key",
        "every value is a known references.reference_key",
        "afzal2005",
    ),
    (
        "table1 row label not in the crosswalk",
        "table1_ranks",
        "1,1,Global rating",
        "1,1,Global ratings",
        "table1_ranks",
        1,
        "row_label",
        "every value is a known factor_crosswalk.paper_label",
        "Global ratings",
    ),
    (
        "table1 country not among paper names",
        "table1_ranks",
        "Kazakhstan,Kazakhstan,65**",
        "Kazakhstan,Kazakstan,65**",
        "table1_ranks",
        1,
        "country_name",
        "every value is a known countries.paper_names",
        "Kazakstan",
    ),
    (
        "funding claim cites an unknown source",
        "funding_claims",
        "ec_press_ip_19_3829",
        "no_such_source",
        "funding_claims",
        3,
        "source_id",
        "every value is a known sources.source_id",
        "no_such_source",
    ),
]


@pytest.mark.parametrize(
    ("edited", "old", "new", "table", "row", "column", "rule", "value"),
    [pytest.param(*case[1:], id=case[0]) for case in RELATION_CASES],
)
def test_cross_file_rule_refuses_the_broken_link(
    raw_dir, edited, old, new, table, row, column, rule, value
):
    edit_csv(csv_of(raw_dir, edited), old, new)
    assert problems_of(raw_dir, edited) == [], "the edit must pass the single-file rules"
    problem = find(
        relation_problems_of(raw_dir, table), file=shown(table), row=row, column=column, rule=rule
    )
    assert problem.value == value


def test_chad_code_is_reported_both_as_unknown_country_and_wrong_mapping(raw_dir):
    edit_csv(csv_of(raw_dir, "figure1_bars"), "TD,Tajikistan,TJK", "TD,Tajikistan,TCD")
    problems = relation_problems_of(raw_dir, "figure1_bars")
    assert {(p.line, p.column) for p in problems} == {(3, "country_iso3")}
    assert any("known countries.country_iso3" in p.rule for p in problems)
    assert any("paper_codes" in p.rule for p in problems)


# --- file, header and CSV-level rules --------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            ",rank,n_ranked,",
            ",n_ranked,",
            [("rank", "column required by the spec is present")],
            id="missing column",
        ),
        pytest.param(
            ",source_reference_key\n",
            ",source_reference_key,extra\n",
            [("extra", "column is in the spec (unexpected or renamed column)")],
            id="extra column",
        ),
        pytest.param(
            ",rank,n_ranked,",
            ",rnk,n_ranked,",
            [
                ("rank", "column required by the spec is present"),
                ("rnk", "column is in the spec (unexpected or renamed column)"),
            ],
            id="renamed column",
        ),
        pytest.param(
            "rank,n_ranked,",
            "n_ranked,rank,",
            [(None, "columns are in the spec's order")],
            id="swapped columns",
        ),
    ],
)
def test_header_problems(raw_dir, old, new, expected):
    edit_csv(csv_of(raw_dir, "table1_ranks"), old, new)
    problems = problems_of(raw_dir, "table1_ranks")
    assert sorted((p.column, p.rule) for p in problems) == sorted(expected, key=str)
    assert all(p.file == shown("table1_ranks") and p.line == 1 for p in problems)


def _crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def _bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def _header_only(data: bytes) -> bytes:
    return data.split(b"\n")[0] + b"\n"


def _latin1_in_row_2(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[2] = lines[2].replace(b"Uzbekistan", b"Uzbekistan\xff", 1)
    return b"\n".join(lines)


def _unbalanced_quote_in_row_1(data: bytes) -> bytes:
    return data.replace(b"65** (66 in 2021)", b'"65** (66 in 2021)', 1)


def _stray_delimiter_in_row_2(data: bytes) -> bytes:
    return data.replace(b"78 (85 in 2021)", b"78, (85 in 2021)", 1)


def _quote_inside_field_row_2(data: bytes) -> bytes:
    return data.replace(b",78 (85 in 2021),", b',"78 (85" in 2021),', 1)


def _no_final_newline(data: bytes) -> bytes:
    return data.rstrip(b"\n")


def _cr_in_row_3(data: bytes) -> bytes:
    lines = data.split(b"\n")
    lines[3] += b"\r"
    return b"\n".join(lines)


# (case id, change to the bytes, data row (None: whole file), rule substring[, column])
BYTE_CASES = [
    ("empty file", lambda data: b"", None, "file is not empty"),
    ("header only", _header_only, None, "file has at least one data row"),
    ("byte-order mark", _bom, 0, "without a byte-order mark"),
    ("CRLF line endings", _crlf, 0, "LF line endings"),
    ("CR at the end of row 3", _cr_in_row_3, 3, "LF line endings"),
    ("non-UTF-8 byte", _latin1_in_row_2, 2, "valid UTF-8"),
    ("quote closed mid-field", _quote_inside_field_row_2, 2, "well-formed CSV", "cell_text"),
    ("stray delimiter", _stray_delimiter_in_row_2, 2, "well-formed CSV (too many columns)"),
    ("no newline at the end", _no_final_newline, 45, "file ends with a newline"),
]


@pytest.mark.parametrize(
    ("change", "row", "rule", "column"),
    [pytest.param(*case[1:], *([None] * (5 - len(case))), id=case[0]) for case in BYTE_CASES],
)
def test_file_level_problem_stops_reading(raw_dir, change, row, rule, column):
    path = csv_of(raw_dir, "table1_ranks")
    write_bytes_with_checksum(path, change(path.read_bytes()))
    result = read_one(raw_dir, "table1_ranks")
    find(result.row_problems, file=shown("table1_ranks"), row=row, column=column, rule=rule)
    assert result.relation is None, "a file that cannot be read as CSV must not yield rows"


def test_unbalanced_quote_is_reported_on_the_row_where_the_quote_opens(raw_dir):
    """A quote opened in row 1 and never closed swallows the rest of the file; the problem must
    point at row 1, where the quote is, not at the last line where the reader gave up."""
    path = csv_of(raw_dir, "table1_ranks")
    write_bytes_with_checksum(path, _unbalanced_quote_in_row_1(path.read_bytes()))
    result = read_one(raw_dir, "table1_ranks")
    assert result.relation is None
    (problem,) = result.row_problems
    assert problem.rule.startswith("well-formed CSV")
    assert problem.line == 2, f"reported at line {problem.line}, the quote opens on line 2"


def test_non_utf8_problem_names_the_byte(raw_dir):
    path = csv_of(raw_dir, "table1_ranks")
    write_bytes_with_checksum(path, _latin1_in_row_2(path.read_bytes()))
    (problem,) = problems_of(raw_dir, "table1_ranks")
    assert (problem.line, problem.value) == (3, "byte 0xff")


def test_stray_delimiter_reports_field_count(raw_dir):
    path = csv_of(raw_dir, "table1_ranks")
    write_bytes_with_checksum(path, _stray_delimiter_in_row_2(path.read_bytes()))
    (problem,) = problems_of(raw_dir, "table1_ranks")
    assert (problem.line, problem.value) == (3, "Expected Number of Columns: 15 Found: 16")


def test_missing_csv_is_a_problem(raw_dir):
    csv_of(raw_dir, "errata").unlink()
    result = read_one(raw_dir, "errata")
    (problem,) = result.row_problems
    assert (problem.file, problem.rule, problem.value) == (
        shown("errata"),
        "a readable regular file inside the project, within its size limit",
        "does not exist",
    )
    assert result.relation is None


# --- origin records --------------------------------------------------------------------------


def meta_of(raw_dir: Path, table: str) -> Path:
    return csv_of(raw_dir, table).with_name(f"{table}.meta.yml")


def shown_meta(table: str) -> str:
    return f"raw/{RAW_BY_NAME[table].folder}/{table}.meta.yml"


def drop_yaml_key(meta: Path, key: str) -> None:
    """Remove a top-level key and its indented continuation lines."""
    text = meta.read_text(encoding="utf-8")
    pattern = re.compile(rf"^{key}:.*\n(?:[ \t]+.*\n)*", re.MULTILINE)
    assert pattern.search(text), f"{key} not in {meta.name}"
    meta.write_text(pattern.sub("", text, count=1), encoding="utf-8")


def test_csv_edited_without_updating_checksum(raw_dir):
    edit_csv(csv_of(raw_dir, "table1_ranks"), "2022,65,140,", "2022,64,140,", keep_checksum=False)
    problems = problems_of(raw_dir, "table1_ranks")
    problem = find(
        problems,
        file=shown_meta("table1_ranks"),
        line=27,  # the line of `sha256:` in the record
        column="sha256",
        rule="sha256 in the origin record matches the data file",
    )
    assert problem.value.startswith("recorded 4ea9176f")
    assert len(problems) == 1


@pytest.mark.parametrize("key", ["license", "citation", "transcription", "sha256"])
def test_origin_record_missing_required_field(raw_dir, key):
    drop_yaml_key(meta_of(raw_dir, "table1_ranks"), key)
    find(
        problems_of(raw_dir, "table1_ranks"),
        file=shown_meta("table1_ranks"),
        row=None,
        column=key,
        rule="origin record field is present and not empty",
    )


def test_origin_record_empty_url_needs_a_note(raw_dir):
    drop_yaml_key(meta_of(raw_dir, "table1_ranks"), "url_note")
    find(
        problems_of(raw_dir, "table1_ranks"),
        file=shown_meta("table1_ranks"),
        row=None,
        line=10,  # the line of `url:` in the record
        column="url",
        rule="url is given, or url_note says why not",
    )


@pytest.mark.parametrize(
    ("field", "redeclared"),
    [
        ("columns", "columns:\n  rank: Rank in the cell.\n"),
        ("description", "description: Paper Table 1, one row per cell.\n"),
        ("primary_key", "primary_key: [row_label, country_name]\n"),
    ],
)
def test_an_origin_record_redeclaring_what_the_spec_holds_is_refused(raw_dir, field, redeclared):
    """A record keeps the origin; a column is described once, in its spec (schemas/raw/)."""
    meta = meta_of(raw_dir, "table1_ranks")
    text = meta.read_text(encoding="utf-8")
    meta.write_text(text + redeclared, encoding="utf-8")
    problem = find(
        problems_of(raw_dir, "table1_ranks"),
        file=shown_meta("table1_ranks"),
        line=text.count("\n") + 1,  # the line the field starts on
        column=field,
        rule="the origin record keeps the origin; the table's spec holds its columns",
    )
    assert problem.fix.startswith(f"remove `{field}:` from {shown_meta('table1_ranks')}")
    message = problem.message()
    assert shown_meta("table1_ranks") in message and repr(field) in message, message


def test_origin_record_that_is_not_yaml(raw_dir):
    meta_of(raw_dir, "table1_ranks").write_text("title: [unclosed\n", encoding="utf-8")
    find(
        problems_of(raw_dir, "table1_ranks"),
        file=shown_meta("table1_ranks"),
        row=None,
        column=None,
        rule="the origin record is valid UTF-8 YAML",
    )


def test_missing_origin_record(raw_dir):
    meta_of(raw_dir, "table1_ranks").unlink()
    find(
        problems_of(raw_dir, "table1_ranks"),
        file=shown_meta("table1_ranks"),
        row=None,
        column=None,
        rule="origin record exists beside the data file",
    )


# --- the message ------------------------------------------------------------------------------


def test_problem_message_names_file_row_column_and_rule(raw_dir):
    edit_csv(csv_of(raw_dir, "table1_ranks"), "2022,65,140,", "2022,141,140,")
    problem = find(
        problems_of(raw_dir, "table1_ranks"),
        file=shown("table1_ranks"),
        row=1,
        column="rank",
        rule="rank <= n_ranked",
    )
    message = problem.message()
    assert "raw/paper/table1_ranks.csv" in message
    assert "line 2" in message
    assert "column 'rank'" in message
    assert "rule 'rank <= n_ranked' failed" in message


def test_problem_message_for_the_whole_file_has_no_row_or_column():
    message = Problem("raw/x.csv", None, None, "file is not empty").message()
    assert message == "raw/x.csv: rule 'file is not empty' failed"


def test_problem_message_cuts_long_values():
    message = Problem("raw/x.csv", 2, "title", "at most 5 characters", "y" * 500).message()
    assert message.startswith("raw/x.csv, line 2, column 'title': rule 'at most 5 characters'")
    assert message.endswith("...)")
    assert len(message) < 300
