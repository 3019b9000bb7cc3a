"""Every value rule is written once (pipeline/schemas/checks.py) and run two ways: as a pandera
check on pandas (the raw files) and as SQL inside DuckDB (the marts, long-format sources). These
tests run both forms on the same values and require the same verdict, element by element and
rule by rule; they also run every spec's SQL against DuckDB and check how validate_relation
reports what it finds.

Both sides go through the production code: pandera through `validate_frame` (the spec's pandera
schema), SQL through `validate_relation` (`field_rules`: `({col} IS NULL OR (<sql>))`).
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
from decimal import Decimal

import duckdb
import pandas as pd
import pandera.errors
import pandera.pandas as pa
import pytest

from pipeline.schemas import checks as c
from pipeline.schemas.indicator_sources import INDICATOR_CODE, LONG_SOURCE
from pipeline.schemas.marts import MARTS
from pipeline.schemas.raw import RAW_TABLES, SLUG, SOURCE_FILES
from pipeline.schemas.spec import (
    BOOL,
    DATE,
    DECIMAL,
    FLOAT,
    INT,
    LIST,
    STRING,
    Field,
    RowRule,
    TableSpec,
    qualified,
    quote_ident,
)
from pipeline.schemas.wjp import WJP_SNAPSHOT, WJP_TABLES
from pipeline.transforms.problems import validate_frame
from pipeline.transforms.sql_checks import EXAMPLES_PER_RULE, field_rules, validate_relation

LATEST = dt.date(2024, 6, 30)  # iso_date's "today" for the cases below
PANDAS_DTYPES = {INT: "Int64", BOOL: "boolean", FLOAT: "float64"}  # others: object

# --- one check, both ways ----------------------------------------------------------------------

# Each case: a check constructor's checks, the column's logical type, and values with the
# verdict the rule's own words call for (True: the value obeys it). None is a missing value.
TEXT = [
    ("plain words", True),
    ("Café — “quoted”, 東京", True),
    ("e\u0301" * 1000, True),  # 2000 code points (decomposed accents)
    ("x" * 2000, True),
    ("x" * 2001, False),
    ("e\u0301" * 1000 + "e", False),  # 2001 code points, 1001 graphemes
    ("", True),
    (" x", False),
    ("x ", False),
    ("x\n", False),
    ("\tx", False),
    ("\u00a0x", False),  # no-break space: leading whitespace
    ("x\u3000", False),  # ideographic space: trailing whitespace
    ("=x", False),
    ("+1", False),
    ("-1", False),
    ("@SUM(A1)", False),
    ("a=b-c", True),
    ("\x01", False),
    ("a\x7fb", False),
    ("a\x00b", False),
    (None, True),
]
ISO3_VALUES = [
    ("KAZ", True),
    ("XKX", True),
    ("kaz", False),
    ("KA", False),
    ("KAZA", False),
    ("KAZ\n", False),
    (" KAZ", False),
    ("ÄBC", False),
    ("K\u0410Z", False),  # Cyrillic capital A
    ("", False),
    (None, True),
]
INDICATOR_CODES = [
    ("hr.voice", True),
    ("a", True),
    ("a" * 63, True),
    ("a" * 64, False),
    ("ind_001", True),
    ("1a", False),
    ("Hr", False),
    ("hr-voice", False),
    ("é", False),
    ("hr voice", False),
    (None, True),
]
ONE_OF = [
    ("day", True),
    ("year", True),
    ("Day", False),
    ("day ", False),
    ("", False),
    ("week", False),
    ("dáy", False),
    (None, True),
]
BETWEEN = [
    (0.0, True),
    (1.0, True),
    (0.5, True),
    (1e-300, True),
    (-0.0001, False),
    (1.0001, False),
    (-1.0, False),
    (math.inf, False),
    (-math.inf, False),
    (None, True),
]
YEARS = [(1789, True), (2100, True), (1788, False), (2101, False), (0, False), (-1, False),
         (None, True)]  # fmt: skip
AT_LEAST_0 = [(0.0, True), (1e12, True), (-0.01, False), (-math.inf, False), (None, True)]
POSITIVE_INT = [(1, True), (2**31 - 1, True), (0, False), (-1, False), (None, True)]
DATES = [
    ("2024-06-30", True),
    ("2024-07-01", False),  # after LATEST
    ("2999-01-01", False),
    ("2022-02-28", True),
    ("2024-02-29", True),
    ("2023-02-29", False),
    ("2022-02-30", False),
    ("2022-13-01", False),
    ("2022-1-5", False),
    ("2022-01-1", False),
    (" 2022-01-01", False),
    ("2022-01-01 ", False),
    ("2022-01-01\n", False),
    ("0000-01-01", False),
    ("20220101", False),
    ("2022/01/01", False),
    ("\u0662\u0660\u0662\u0662-01-01", False),  # Arabic-Indic digits
    ("", False),
    (None, True),
]
AMOUNTS = [
    ("0", True),
    ("12", True),
    ("12.5", True),
    ("12.50", True),
    ("1234567890123456", True),
    ("12345678901234567", False),
    ("12.505", False),
    ("1,000", False),
    ("1 000", False),
    ("-1", False),
    ("+1", False),
    (".5", False),
    ("5.", False),
    ("1e3", False),
    ("\u0661\u0662", False),  # Arabic-Indic digits
    ("", False),
    (None, True),
]
SLUG_LISTS = [
    ("a", True),
    ("a;b_c;d9", True),
    ("a;", False),
    (";a", False),
    ("a;;b", False),
    ("a; b", False),
    ("A", False),
    ("ä", False),
    ("", False),
    (None, True),
]
ISO3_LISTS = [
    (["KAZ"], True),
    (["KAZ", "UZB"], True),
    ([], True),
    (["kaz"], False),
    (["KAZ", "KZ"], False),
    (["KAZ", None], False),  # a list with a hole is not a list of codes
    (None, True),
]

CHECK_CASES = {
    "text": (c.text(), STRING, TEXT),
    "pattern iso3": ((c.pattern(r"[A-Z]{3}", "three capital letters"),), STRING, ISO3_VALUES),
    "pattern indicator code": (
        (c.pattern(INDICATOR_CODE, "an indicator code"),),
        STRING,
        INDICATOR_CODES,
    ),
    "one_of": ((c.one_of(("day", "month", "year")),), STRING, ONE_OF),
    "between": ((c.between(0, 1, "a score between 0 and 1"),), FLOAT, BETWEEN),
    "at_least": ((c.at_least(0, "at least 0"),), FLOAT, AT_LEAST_0),
    "positive_int": ((c.positive_int(),), INT, POSITIVE_INT),
    "year_between": ((c.year_between(1789, 2100),), INT, YEARS),
    "iso_date": (c.iso_date(LATEST), STRING, DATES),
    "iso_date today": (
        c.iso_date(),
        STRING,
        [("2000-01-01", True), ("2999-12-31", False), ("2000-02-30", False), (None, True)],
    ),
    "decimal_eur": ((c.decimal_eur(),), STRING, AMOUNTS),
    "semicolon_list": ((c.semicolon_list(SLUG, "reference keys"),), STRING, SLUG_LISTS),
    "list_of": ((c.list_of(r"[A-Z]{3}", "alpha-3 codes"),), LIST, ISO3_LISTS),
}


def test_every_check_constructor_has_cases():
    """A new constructor in checks.py must get cases here."""
    constructors = {
        name
        for name, function in vars(c).items()
        if inspect.isfunction(function)
        and not name.startswith("_")
        and function.__module__ == c.__name__
        and "Check" in str(function.__annotations__.get("return"))
    }
    assert constructors == {name.split(" ")[0] for name in CHECK_CASES}
    for name, (_, _, cases) in CHECK_CASES.items():
        assert {ok for _, ok in cases} == {True, False}, name
        refused = sum(not ok for _, ok in cases)
        assert refused <= EXAMPLES_PER_RULE, "keep every failing row among the examples"


def probe_spec(dtype: str, checks, nullable: bool = True) -> TableSpec:
    column = Field("v", dtype, "The value under test.", nullable, tuple(checks))
    return TableSpec("probe", "One column under test.", (column,), primary_key=())


def pandera_failures(spec: TableSpec, values: list) -> set[tuple[int, str]]:
    """(1-based row, rule) of every failure, through the spec's pandera schema."""
    dtype = spec.fields[0].dtype
    series = pd.Series(values, dtype=PANDAS_DTYPES.get(dtype, "object"))
    frame = pd.DataFrame({"v": series})
    return {(p.row, p.rule) for p in validate_frame(frame, spec, "probe")}


def duckdb_table(con, spec: TableSpec, rows: list[dict]) -> str:
    """`probe` with a 1-based `row_n` and the spec's columns, typed as the spec says."""
    columns = ", ".join(f"{quote_ident(f.name)} {f.duckdb_type}" for f in spec.fields)
    con.execute(f"CREATE OR REPLACE TABLE probe (row_n INTEGER, {columns})")
    marks = ", ".join("?" for _ in range(len(spec.fields) + 1))
    for number, row in enumerate(rows, start=1):
        values = [row.get(f.name) for f in spec.fields]
        con.execute(f"INSERT INTO probe VALUES ({marks})", [number, *values])  # noqa: S608
    return "probe"


def sql_failures(spec: TableSpec, values: list) -> set[tuple[int, str]]:
    """(1-based row, rule) of every failure, through the spec's SQL in DuckDB."""
    with duckdb.connect() as con:
        relation = duckdb_table(con, spec, [{"v": v} for v in values])
        problems = validate_relation(con, spec, relation, "probe", "row_n")
    assert all(p.row is not None for p in problems), problems  # every failure among examples
    return {(p.row, p.rule) for p in problems}


@pytest.mark.parametrize("case", CHECK_CASES)
def test_pandera_and_sql_give_the_same_verdict_per_value_and_rule(case):
    checks, dtype, cases = CHECK_CASES[case]
    values = [v for v, _ in cases]
    spec = probe_spec(dtype, checks)
    by_pandera, by_sql = pandera_failures(spec, values), sql_failures(spec, values)
    expected_rows = {n for n, (_, ok) in enumerate(cases, start=1) if not ok}
    disagreements = []
    for number, (value, ok) in enumerate(cases, start=1):
        pandera_rules = sorted(rule for row, rule in by_pandera if row == number)
        sql_rules = sorted(rule for row, rule in by_sql if row == number)
        if pandera_rules != sql_rules or (number in expected_rows) == (not pandera_rules):
            disagreements.append(f"{value!r}: expected {'ok' if ok else 'refused'}, "
                                 f"pandera {pandera_rules}, SQL {sql_rules}")  # fmt: skip
    assert not disagreements, "\n".join(disagreements)


@pytest.mark.parametrize("case", ["pattern iso3", "between", "positive_int", "list_of"])
def test_a_missing_value_in_a_required_column_is_refused_the_same_way(case):
    checks, dtype, cases = CHECK_CASES[case]
    values = [v for v, ok in cases if ok]  # valid values and None
    assert None in values
    spec = probe_spec(dtype, checks, nullable=False)
    missing = values.index(None) + 1
    assert pandera_failures(spec, values) == {(missing, "required (not empty)")}
    assert sql_failures(spec, values) == {(missing, "required (not empty)")}


@pytest.mark.parametrize("case", CHECK_CASES)
def test_each_check_function_and_its_sql_template_agree_per_element(case):
    """Without the spec machinery: the check's own function on a Series, and its template
    as `({col} IS NULL OR (<sql>))` per row of a one-column DuckDB table (a row fails where
    that is FALSE; NULL counts as holding, as validate_relation counts)."""
    checks, dtype, cases = CHECK_CASES[case]
    values = [v for v, _ in cases]
    series = pd.Series(values, dtype=PANDAS_DTYPES.get(dtype, "object"))
    differ = []
    with duckdb.connect() as con:
        duckdb_table(con, probe_spec(dtype, ()), [{"v": v} for v in values])
        for check in checks:
            by_pandas = [bool(x) for x in check._check_fn(series)]
            predicate = check.statistics["sql"].replace("{col}", '"v"')
            holds = f'coalesce(("v" IS NULL OR ({predicate})), TRUE)'
            query = f"SELECT {holds} FROM probe ORDER BY row_n"  # noqa: S608
            try:
                by_sql = [row[0] for row in con.execute(query).fetchall()]
            except duckdb.Error as err:
                differ.append(f"{check.name}: the SQL form raised {err}")
                continue
            differ += [
                f"{check.name}: {v!r} pandas {p}, SQL {s}"
                for v, p, s in zip(values, by_pandas, by_sql, strict=True)
                if p != s
            ]
    assert not differ, "\n".join(differ)


# --- every spec has an SQL form for every rule, and it runs --------------------------------

ALL_SPECS = [
    *MARTS,
    *(t.spec for t in RAW_TABLES),
    SOURCE_FILES,
    *WJP_TABLES,
    WJP_SNAPSHOT,
    LONG_SOURCE,
]


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda s: s.name)
def test_every_rule_of_every_spec_has_an_sql_form_that_runs(spec):
    rules = field_rules(spec)
    expected = (
        sum(not f.nullable for f in spec.fields)
        + sum(len(f.checks) for f in spec.fields)
        + len(spec.row_rules)
    )
    assert len(rules) == expected
    for rule in rules:
        assert "{col}" not in rule.holds, rule
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA s")
        con.execute(spec.create_table_sql(qualified("s", spec.name)))
        # Binding the statements is enough to catch a wrong column, type or function.
        assert validate_relation(con, spec, qualified("s", spec.name), spec.name) == []


def test_a_check_without_sql_is_refused_by_field_rules():
    spec = probe_spec(STRING, (pa.Check(lambda s: s.notna(), name="no sql form"),))
    with pytest.raises(ValueError, match="no sql form"):
        field_rules(spec)
    spec = TableSpec("probe", "", (Field("v", STRING, "v"),), (), (RowRule("r", "v", len),))
    with pytest.raises(ValueError, match="row rule 'r' has no SQL form"):
        field_rules(spec)


# --- row rules: .holds and .sql agree -------------------------------------------------------

AMOUNT_OR_REASON = [
    ({"amount_eur": "12.50", "amount_missing_reason": None}, True),
    ({"amount_eur": None, "amount_missing_reason": "not in the text"}, True),
    ({"amount_eur": "1", "amount_missing_reason": "both given"}, False),
    ({"amount_eur": None, "amount_missing_reason": None}, False),
]
ROW_RULE_CASES = {
    "rank <= n_ranked": [
        ({"rank": 1, "n_ranked": 1}, True),
        ({"rank": 140, "n_ranked": 140}, True),
        ({"rank": 141, "n_ranked": 140}, False),
        ({"rank": None, "n_ranked": 140}, True),
        ({"rank": 5, "n_ranked": None}, True),
        ({"rank": None, "n_ranked": None}, True),
    ],
    "an empty rank has a missing_reason": [
        ({"rank": 1, "missing_reason": None}, True),
        ({"rank": None, "missing_reason": "no data"}, True),
        ({"rank": 3, "missing_reason": "also a reason"}, True),
        ({"rank": None, "missing_reason": None}, False),
    ],
    "an amount or a reason it is missing, not both": AMOUNT_OR_REASON,
    "event_date agrees with date_precision": [
        ({"event_date": "2022-03-01", "date_precision": "month"}, True),
        ({"event_date": "2022-03-15", "date_precision": "month"}, False),
        ({"event_date": "2022-01-01", "date_precision": "year"}, True),
        ({"event_date": "2022-03-01", "date_precision": "year"}, False),
        ({"event_date": "2022-03-15", "date_precision": "day"}, True),
        ({"event_date": "2022-01-01", "date_precision": "day"}, True),
    ],
    "period_start_year <= period_end_year": [
        ({"period_start_year": 2014, "period_end_year": 2020}, True),
        ({"period_start_year": 2020, "period_end_year": 2020}, True),
        ({"period_start_year": 2021, "period_end_year": 2020}, False),
    ],
    "paper rows, and only they, have a verification": [
        ({"source_id": "paper_table1", "verification": "verified", "verification_note": "n"}, True),
        ({"source_id": "paper_table1", "verification": None, "verification_note": None}, False),
        (
            {"source_id": "paper_table2", "verification": "verified", "verification_note": None},
            False,
        ),
        ({"source_id": "wjp_roli", "verification": None, "verification_note": None}, True),
        ({"source_id": "wjp_roli", "verification": "verified", "verification_note": "n"}, False),
        ({"source_id": "hr_demo", "verification": None, "verification_note": None}, True),
    ],  # fmt: skip
    "WJP scores lie between 0 and 1": [
        ({"source_id": "wjp_roli", "score": 0.5}, True),
        ({"source_id": "wjp_roli", "score": 0.0}, True),
        ({"source_id": "wjp_roli", "score": 1.0}, True),
        ({"source_id": "wjp_roli", "score": 1.2}, False),
        ({"source_id": "wjp_roli", "score": -0.1}, False),
        ({"source_id": "hr_demo", "score": 57.0}, True),
        ({"source_id": "paper_table1", "score": None}, True),
        ({"source_id": "wjp_roli", "score": None}, False),  # a WJP row without its score
    ],
    "is_amount_known matches amount_eur": [
        ({"is_amount_known": True, "amount_eur": Decimal("10.00")}, True),
        ({"is_amount_known": False, "amount_eur": None}, True),
        ({"is_amount_known": True, "amount_eur": None}, False),
        ({"is_amount_known": False, "amount_eur": Decimal("5.00")}, False),
    ],
}
SPECS_WITH_ROW_RULES = [*MARTS, *(t.spec for t in RAW_TABLES), LONG_SOURCE]
ROW_RULES = [(s, r) for s in SPECS_WITH_ROW_RULES for r in s.row_rules]


def test_row_rules_exist_to_test():
    assert len(ROW_RULES) >= 10
    assert {r.name for _, r in ROW_RULES} == set(ROW_RULE_CASES)


def _row_rule_frame(spec: TableSpec, rows: list[dict]) -> pd.DataFrame:
    """The rule's columns typed as the raw or mart frame holds them, plus a column that is
    never empty, as in the real tables (pandera excuses a row whose every cell is empty)."""
    columns = list(rows[0])
    data = {"row_id": pd.Series(range(len(rows)), dtype="Int64")}
    for name in columns:
        dtype = spec.field(name).dtype
        values = [row[name] for row in rows]
        if dtype == DECIMAL and any(spec is m for m in MARTS):
            data[name] = pd.Series(values, dtype="object")  # Decimal objects, as DuckDB gives
        elif dtype in (DATE, DECIMAL):
            data[name] = pd.Series([None if v is None else str(v) for v in values], dtype="object")
        else:
            data[name] = pd.Series(values, dtype=PANDAS_DTYPES.get(dtype, "object"))
    return pd.DataFrame(data)


@pytest.mark.parametrize(
    ("spec", "rule"), ROW_RULES, ids=[f"{s.name}: {r.name}" for s, r in ROW_RULES]
)
def test_row_rule_holds_and_sql_agree(spec: TableSpec, rule: RowRule):
    cases = ROW_RULE_CASES[rule.name]
    rows = [row for row, _ in cases]
    expected = [ok for _, ok in cases]
    # pandas: the rule as the spec's pandera schema runs it (a DataFrame-level check).
    frame = _row_rule_frame(spec, rows)
    schema = pa.DataFrameSchema(checks=[pa.Check(rule.holds, name=rule.name)])
    failed_rows: set[int] = set()
    try:
        schema.validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as err:
        failed_rows = {int(i) for i in err.failure_cases["index"].dropna()}
    by_pandas = [i not in failed_rows for i in range(len(rows))]
    # SQL: the rule as field_rules wraps it, on columns typed as the spec says.
    (sql_rule,) = [r for r in field_rules(spec) if r.name == rule.name]
    assert sql_rule.column == rule.column
    sub = TableSpec("probe", "", tuple(spec.field(n) for n in rows[0]), ())
    with duckdb.connect() as con:
        duckdb_table(con, sub, rows)
        by_sql = [
            ok
            for (ok,) in con.execute(
                f"SELECT {sql_rule.holds} FROM probe ORDER BY row_n"  # noqa: S608
            ).fetchall()
        ]
    differ = [
        f"{row}: expected {ok}, pandas {p}, SQL {s}"
        for row, ok, p, s in zip(rows, expected, by_pandas, by_sql, strict=True)
        if not ok == p == s
    ]
    assert not differ, "\n".join(differ)


# --- validate_relation on a real DuckDB table ------------------------------------------------

FILE = "raw/indicators/probe.csv"


def _long_rows(count: int) -> list[dict]:
    codes = ["KAZ", "KGZ", "UZB", "TJK", "TKM"]
    return [
        {"country_iso3": codes[i % 5], "year": 2000 + i // 5, "indicator_code": "hr.a",
         "value": float(i), "rank": 1 + i % 5, "n_ranked": 5}
        for i in range(count)
    ]  # fmt: skip


def _long_table(tmp_path, rows: list[dict]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "probe.duckdb"))
    con.execute("CREATE SCHEMA raw")
    columns = ", ".join(f"{quote_ident(f.name)} {f.duckdb_type}" for f in LONG_SOURCE.fields)
    con.execute(f"CREATE TABLE raw.probe (source_row BIGINT, {columns})")
    con.executemany(
        "INSERT INTO raw.probe VALUES (?, ?, ?, ?, ?, ?, ?)",
        [[n, *(row[c] for c in LONG_SOURCE.column_names)] for n, row in enumerate(rows, 1)],
    )
    return con


def _long_frame(rows: list[dict]) -> pd.DataFrame:
    """The same rows as pandas, typed as the spec's pandera schema expects."""
    return pd.DataFrame(
        {
            f.name: pd.Series([r[f.name] for r in rows], dtype=PANDAS_DTYPES.get(f.dtype, "object"))
            for f in LONG_SOURCE.fields
        }
    )


def test_validate_relation_accepts_a_valid_table(tmp_path):
    with _long_table(tmp_path, _long_rows(30)) as con:
        assert validate_relation(con, LONG_SOURCE, "raw.probe", FILE, "source_row") == []


def test_validate_relation_names_duplicate_key_null_and_range_violation(tmp_path):
    rows = _long_rows(30)
    rows[9] = dict(rows[2])  # row 10 repeats row 3's key
    rows[11]["value"] = None  # row 12: required value empty
    rows[14]["year"] = 1788  # row 15: before 1789
    rows[16]["rank"] = 6  # row 17: rank above n_ranked
    with _long_table(tmp_path, rows) as con:
        problems = validate_relation(con, LONG_SOURCE, "raw.probe", FILE, "source_row")
    key_rule = "key (country_iso3, year, indicator_code) is unique"
    duplicates = [p for p in problems if p.rule == key_rule]
    others = {(p.file, p.row, p.column, p.rule) for p in problems if p.rule != key_rule}
    assert others == {
        (FILE, 12, "value", "required (not empty)"),
        (FILE, 15, "year", "a year 1789-2100"),
        (FILE, 17, "rank", "rank <= n_ranked"),
    }
    assert duplicates, problems
    for duplicate in duplicates:
        assert (duplicate.file, duplicate.column) == (FILE, "country_iso3, year, indicator_code")
        assert duplicate.row in (None, 3, 10)
        assert "UZB, 2000, hr.a" in duplicate.value
    (year,) = [p for p in problems if p.column == "year"]
    assert year.value == "1788"


def test_validate_relation_counts_every_failure_beyond_the_examples(tmp_path):
    failing = EXAMPLES_PER_RULE + 7
    rows = _long_rows(failing + 10)
    for row in rows[10:]:
        row["rank"] = 0  # rows 11.. break 'at least 1'
    with _long_table(tmp_path, rows) as con:
        problems = validate_relation(con, LONG_SOURCE, "raw.probe", FILE, "source_row")
    at_least = [p for p in problems if p.rule == "at least 1"]
    examples = [p for p in at_least if p.row is not None]
    assert [p.row for p in examples] == list(range(11, 11 + EXAMPLES_PER_RULE))
    assert all(p.column == "rank" and p.value == "0" for p in examples)
    (total,) = [p for p in at_least if p.row is None]
    assert total.value == f"... {failing} rows in all"
    assert {p.rule for p in problems} == {"at least 1"}


def test_validate_relation_and_validate_frame_report_the_same_problems(tmp_path):
    """The whole LONG_SOURCE spec, both ways, on a table with several faults."""
    rows = _long_rows(15)
    rows[3]["country_iso3"] = "kaz"
    rows[5]["rank"] = 0
    rows[7]["year"] = 2101
    rows[8]["rank"], rows[8]["n_ranked"] = 4, 3
    rows[9]["indicator_code"] = "Bad code"
    rows[10]["value"] = None
    with _long_table(tmp_path, rows) as con:
        by_sql = validate_relation(con, LONG_SOURCE, "raw.probe", FILE, "source_row")
    by_pandera = validate_frame(_long_frame(rows), LONG_SOURCE, FILE)
    assert {(p.row, p.column, p.rule) for p in by_sql} == {
        (p.row, p.column, p.rule) for p in by_pandera
    }
    assert len(by_sql) == 6


def test_a_nan_value_is_refused_by_sql_as_pandera_refuses_it(tmp_path):
    """A source's value 'nan' (CSV text, or a Parquet NaN) is a DOUBLE NaN in DuckDB, not NULL.
    pandera refuses NaN in the required `value` column; the SQL form must refuse it too."""
    rows = _long_rows(5)
    rows[2]["value"] = math.nan
    with _long_table(tmp_path, rows) as con:
        assert con.execute("SELECT isnan(value) FROM raw.probe WHERE source_row = 3").fetchone()[0]
        by_sql = validate_relation(con, LONG_SOURCE, "raw.probe", FILE, "source_row")
    by_pandera = validate_frame(_long_frame(rows), LONG_SOURCE, FILE)
    assert [(p.row, p.column) for p in by_pandera] == [(3, "value")]
    assert [(p.row, p.column) for p in by_sql] == [(3, "value")]
