"""Rules are declared once (schemas/rules.py, schemas/row_rules.py) and run as pandera checks
inside DuckDB (transforms/validation.py). Each rule kind and each row rule, the custom ones
included, refuses and accepts the values stated here, as DuckDB runs it; the kinds pandera has a
built-in check for use it. Every spec's schema runs on its table. The specs derive the pandera
schema, the DDL, the Arrow schema; the YAML model specs load into the same TableSpec, and a
malformed one is refused by file.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pyarrow
import pytest

from pipeline.schemas import row_rules as rr
from pipeline.schemas import rules as r
from pipeline.schemas.custom_rules import CUSTOM_ROW_RULES
from pipeline.schemas.dated import bound_by_access
from pipeline.schemas.indicator_sources import LONG_SOURCE
from pipeline.schemas.model_specs import SpecError, load_model_spec
from pipeline.schemas.provenance import SOURCE_FILES
from pipeline.schemas.raw import RAW_TABLES
from pipeline.schemas.spec import (
    BOOL,
    DATE,
    DECIMAL,
    FLOAT,
    INT,
    LIST,
    STRING,
    Field,
    TableSpec,
    qualified,
)
from pipeline.schemas.wjp import WJP_SNAPSHOT, WJP_TABLES
from pipeline.settings import MODELS_DIR
from pipeline.transforms.models.discover import ModelError, discover
from pipeline.transforms.validation import validate_relation
from tests.harness import memory_db

YESTERDAY = dt.date.today() - dt.timedelta(days=1)
TOMORROW = dt.date.today() + dt.timedelta(days=1)
THIS_YEAR = dt.date.today().year
T, F = True, False

# For each rule kind: (rule, values, whether each value obeys it). A missing value obeys.
KIND_CASES: dict[str, list[tuple[r.Rule, list, list[bool]]]] = {
    "one_of": [(r.one_of(["a", "b"]), ["a", "b", "c", "A", "", None], [T, T, F, F, F, T])],
    "between": [
        (r.between(0, 8), [0, 8, 9, -1, 4, None], [T, T, F, F, T, T]),
        (r.year_between(1990, 2100), [1989, 2000], [F, T]),
    ],
    "at_least": [
        (r.at_least(1), [1, 0, -3, 7, None], [T, F, F, T, T]),
        (r.at_least(0), [Decimal("-1.00"), Decimal("0")], [F, T]),
    ],
    "pattern": [
        (
            r.pattern(r"[A-Z]{3}", "three capital letters"),
            ["KAZ", "kaz", "KAZA", "KA", "", None],
            [T, F, F, F, F, T],
        ),
        (
            r.pattern(r"err_[a-z0-9_]+", "an id"),
            ["err_x1", "err_", "xerr_a", "err_a\n"],
            [T, F, F, F],
        ),
    ],
    "max_length": [
        (r.Rule("max_length", (3,)), ["abc", "abcd", "", "ééé", "éééé", None], [T, F, T, T, F, T])
    ],
    "no_control_chars": [
        (
            r.Rule("no_control_chars"),
            ["plain", "tab\tok", "bell\x07", "nl\nok", "\x1f"],
            [T, T, F, T, F],
        )
    ],
    "no_formula_prefix": [
        (
            r.Rule("no_formula_prefix"),
            ["=SUM(A1)", "+1", "-2", "@x", "a=b", "x"],
            [F, F, F, F, T, T],
        )
    ],
    "trimmed": [
        (
            r.Rule("trimmed"),
            ["x", " x", "x ", "\u00a0x", "x\u3000", "a b", "x\n"],
            [T, F, F, F, F, T, F],
        )
    ],
    "not_in_future": [
        (r.not_in_future(), [YESTERDAY, dt.date.today(), TOMORROW, None], [T, T, F, T]),
        (
            r.not_in_future("year"),
            [THIS_YEAR - 1, THIS_YEAR, THIS_YEAR + 1, None],
            [T, T, F, T],
        ),
        # bound to an origin record's date_accessed (schemas/dated.py), and never after today
        (
            r.Rule("not_in_future", ("date", "2020-06-01")),
            [dt.date(2020, 6, 1), dt.date(2020, 6, 2), YESTERDAY, None],
            [T, F, F, T],
        ),
        (r.Rule("not_in_future", ("year", "2020-06-01")), [2019, 2020, 2021, None], [T, T, F, T]),
        (r.Rule("not_in_future", ("date", "2999-01-01")), [YESTERDAY, TOMORROW], [T, F]),
    ],
    "items_match": [
        (
            r.items_match(r"[A-Z]{3}", "alpha-3 codes"),
            [["KAZ", "UZB"], ["KAZ", "uzb"], [], None, ["KAZ, UZB"], ["KAZ", None], ["NULL"]],
            [T, F, T, T, F, F, F],
        ),
    ],
}
# Kinds pandera has a built-in check for, and the one each runs as.
BUILT_IN = {
    "one_of": "isin",
    "between": "in_range",
    "at_least": "greater_than_or_equal_to",
    "pattern": "str_matches",
    "max_length": "str_length",
    "not_in_future": "less_than_or_equal_to",
}


def dtype_of(values: list) -> str:
    present = [v for v in values if v is not None]
    kinds = {bool: BOOL, int: INT, float: FLOAT, Decimal: DECIMAL, dt.date: DATE, list: LIST}
    return kinds.get(type(present[0]), STRING) if present else STRING


def obeyed(columns: dict[str, list], rules=(), row_rules=()) -> list[bool]:
    """Whether each row of `columns` obeys the rules, as validation runs them in DuckDB:
    `rules` on the first column, `row_rules` across them. Every column may be empty."""
    fields = tuple(
        Field(name, dtype_of(values), "A column.", True, tuple(rules) if i == 0 else ())
        for i, (name, values) in enumerate(columns.items())
    )
    spec = TableSpec("t", "A test table.", fields, (), tuple(row_rules))
    rows = list(zip(*columns.values(), strict=True))
    con = memory_db()
    con.execute(spec.create_table_sql(qualified("main", "t"), not_null=False))
    con.execute('ALTER TABLE "main"."t" ADD COLUMN line INTEGER')
    marks = ", ".join("?" for _ in range(len(fields) + 1))
    con.executemany(
        f'INSERT INTO "main"."t" VALUES ({marks})',  # noqa: S608 (placeholders)
        [(*row, i) for i, row in enumerate(rows)],
    )
    failed = {p.line for p in validate_relation(con, spec, '"main"."t"', "t", line="line")}
    return [i not in failed for i in range(len(rows))]


def test_every_rule_kind_has_cases():
    assert set(KIND_CASES) == set(r.KINDS)


@pytest.mark.parametrize(
    ("rule", "values", "expected"),
    [
        pytest.param(rule, values, expected, id=kind)
        for kind, cases in KIND_CASES.items()
        for rule, values, expected in cases
    ],
)
def test_a_rule_refuses_and_accepts_value_by_value_inside_duckdb(rule, values, expected):
    assert obeyed({"v": values}, rules=(rule,)) == expected


@pytest.mark.parametrize(("kind", "built_in"), sorted(BUILT_IN.items()))
def test_a_rule_pandera_has_a_built_in_check_for_runs_as_that_check(kind, built_in):
    rule = KIND_CASES[kind][0][0]
    check = rule.check()
    assert check._check_fn.__name__ == built_in
    assert check.name == rule.name


# Row rules: (rule, columns, whether each row obeys). The generic kinds and each custom rule.
ROW_CASES = [
    (
        rr.ordered("rank", "n_ranked"),
        {"rank": [1, 5, 6, None, 3], "n_ranked": [5, 5, 5, 5, None]},
        [T, T, F, T, T],
    ),
    (
        rr.any_present("rank", "reason", column="reason", name="reason"),
        {"rank": [1, None, None], "reason": [None, "no data", None]},
        [T, T, F],
    ),
    (
        rr.exactly_one_present("amount", "reason", name="one"),
        {"amount": [1.0, None, 2.0, None], "reason": [None, "x", "y", None]},
        [T, T, F, F],
    ),
    (
        rr.flag_present("known", "amount"),
        {"known": [True, False, True], "amount": [1.0, None, None]},
        [T, T, F],
    ),
    (
        rr.custom(
            "date_matches_precision", "event_date", "precision", "event_date", "date_precision"
        ),
        {
            "event_date": [
                dt.date(2022, 3, 1),
                dt.date(2022, 3, 15),
                dt.date(2022, 1, 1),
                dt.date(2022, 6, 1),
                dt.date(2022, 6, 15),
            ],
            "date_precision": ["month", "month", "year", "year", "day"],
        },
        [T, F, T, F, T],
    ),
    (
        rr.custom("verified_iff_paper", "verification", "verified"),
        {
            "source_id": ["paper_table1", "paper_table2", "wjp_roli", "wjp_roli"],
            "verification": ["verified", None, None, "verified"],
            "verification_note": ["n", None, None, "n"],
        },
        [T, F, T, F],
    ),
    (
        rr.custom("sourced_unless_suspected", "source_urls", "sourced"),
        {
            "confidence": ["confirmed", "confirmed", "suspected", "suspected", "probable"],
            "source_urls": ["http://a", None, None, "http://a", "http://b"],
            "notes": [None, None, "why", "why", None],
        },
        [T, F, T, F, T],
    ),
    (
        rr.custom("record_unless_not_checked", "record_urls", "record"),
        {
            "check_status": ["verified", "verified", "not_checked", "not_checked"],
            "record_urls": ["http://a", None, None, "http://a"],
        },
        [T, F, T, F],
    ),
    (
        rr.custom("regime_type_labelled", "value_label", "labelled"),
        {
            "source_id": ["vdem_ert", "vdem_ert", "vdem_ert", "wjp_roli", "other"],
            "factor_code": ["v2x_regime", "v2x_regime", "v2x_polyarchy", "overall", "v2x_regime"],
            "value_label": ["closed autocracy", None, None, "x", None],
        },
        [T, F, T, F, T],
    ),
    (
        rr.custom("wjp_score_in_range", "score", "range"),
        {"source_id": ["wjp_roli", "wjp_roli", "vdem", "wjp_roli"], "score": [0.5, 1.5, 7.0, None]},
        [T, F, T, F],
    ),
]


def test_every_row_kind_and_custom_rule_has_a_case():
    kinds = {rule.kind for rule, _, _ in ROW_CASES}
    assert kinds == set(rr.ROW_KINDS)
    assert {k.removeprefix("custom:") for k in kinds if k.startswith("custom:")} == set(
        CUSTOM_ROW_RULES
    )


@pytest.mark.parametrize(
    ("rule", "columns", "expected"), [pytest.param(*c, id=c[0].kind) for c in ROW_CASES]
)
def test_a_row_rule_refuses_and_accepts_row_by_row_inside_duckdb(rule, columns, expected):
    assert obeyed(columns, row_rules=(rule,)) == expected


def all_specs() -> list[TableSpec]:
    models = [m.spec for m in discover(MODELS_DIR) if m.spec]
    return [
        *(t.spec for t in RAW_TABLES),
        *WJP_TABLES,
        WJP_SNAPSHOT,
        LONG_SOURCE,
        SOURCE_FILES,
        *models,
    ]


@pytest.mark.parametrize("spec", all_specs(), ids=lambda s: s.name)
def test_every_check_of_every_spec_runs_inside_duckdb(spec: TableSpec):
    con = memory_db()
    relation = qualified("main", spec.name)
    con.execute(spec.create_table_sql(relation))
    assert validate_relation(con, spec, relation, spec.name) == []
    schema = spec.pandera_schema()
    assert list(schema.columns) == spec.column_names and schema.strict and schema.ordered
    assert schema.unique == (list(spec.primary_key) or None)


# --- specs ---------------------------------------------------------------------------------

TINY = TableSpec(
    name="tiny",
    description="A tiny table for tests.",
    fields=(
        Field("id", INT, "Key.", rules=(r.positive(),)),
        Field("name", STRING, "A name.", rules=r.text(20)),
        Field("amount", DECIMAL, "An amount.", True),
        Field("day", DATE, "A day.", True),
        Field("tags", LIST, "Tags."),
    ),
    primary_key=("id",),
    row_rules=(rr.ordered("id", "id"),),
)


def tiny_table(con, rows) -> str:
    """TINY's table with a `line` column, holding `rows` (line, id, name)."""
    relation = qualified("main", "tiny")
    con.execute(TINY.create_table_sql(relation, not_null=False))
    con.execute(f"ALTER TABLE {relation} ADD COLUMN line INTEGER")
    insert = f"INSERT INTO {relation} (line, id, name, tags) VALUES (?, ?, ?, ['x'])"  # noqa: S608
    con.executemany(insert, rows)
    return relation


def test_a_spec_bound_to_its_sources_date_accessed_bounds_its_dates_and_years_only():
    accessed = dt.date(2020, 6, 1)
    bound = bound_by_access(LONG_SOURCE, accessed)
    year = "a year not after the source's date_accessed 2020-06-01"
    assert [rule.name for rule in bound.field("year").rules][-1] == year
    assert bound.field("value") == LONG_SOURCE.field("value")
    assert bound.primary_key == LONG_SOURCE.primary_key
    assert bound_by_access(LONG_SOURCE, None) is LONG_SOURCE
    undated = TableSpec("t", "A table without dates.", (Field("x", INT, "A number."),), ())
    assert bound_by_access(undated, accessed) is undated


def test_a_relation_without_a_column_of_the_spec_or_with_one_more_is_refused():
    con = memory_db()
    relation = tiny_table(con, [(2, 1, "a")])
    con.execute(f"ALTER TABLE {relation} ADD COLUMN surplus INTEGER")
    found = {(p.column, p.rule) for p in validate_relation(con, TINY, relation, "t", line="line")}
    assert found == {("surplus", "no columns beyond the spec")}
    con.execute(f"ALTER TABLE {relation} DROP COLUMN surplus")
    con.execute(f"ALTER TABLE {relation} DROP COLUMN day")
    found = {(p.column, p.rule) for p in validate_relation(con, TINY, relation, "t", line="line")}
    assert found == {("day", "every column of the spec is present")}


def test_validation_names_the_line_of_each_failure_and_every_row_of_a_key_clash():
    con = memory_db()
    relation = tiny_table(con, [(2, 2, " padded"), (3, 2, "b"), (4, None, "c")])
    problems = validate_relation(con, TINY, relation, "raw/tiny.csv", line="line")
    found = {(p.line, p.column, p.rule, p.value) for p in problems}
    assert (2, "name", "no leading or trailing whitespace", " padded") in found
    assert (4, "id", "required (not empty)", None) in found
    assert {(p.line, p.rule, p.value) for p in problems if "unique" in p.rule} == {
        (2, "key (id) is unique", "2"),
        (3, "key (id) is unique", "2"),
    }
    assert problems[0].message() == (
        "raw/tiny.csv, line 4, column 'id': rule 'required (not empty)' failed"
    )


def test_a_kept_counting_query_counts_each_relation_and_serves_an_equal_spec_only():
    """The counting query is kept per spec and relation shape (validation.py): run again on
    other rows it counts those rows, and a spec that differs in one bound gets its own."""
    con = memory_db()
    relation = tiny_table(con, [(2, 1, "x" * 21)])
    rules = {p.rule for p in validate_relation(con, TINY, relation, "t", line="line")}
    assert "at most 20 characters" in rules
    assert relation == '"main"."tiny"'
    con.execute("UPDATE main.tiny SET name = 'fine'")
    assert validate_relation(con, TINY, relation, "t", line="line") == []
    other = qualified("main", "tiny_too")  # same shape, other name: the kept query reads it
    con.execute("CREATE TABLE main.tiny_too AS SELECT * FROM main.tiny")
    con.execute("UPDATE main.tiny_too SET id = -1")
    assert [p.rule for p in validate_relation(con, TINY, other, "t", line="line")] == [
        r.positive().name
    ]
    name = TINY.field("name")
    shorter = replace(
        TINY, fields=(TINY.fields[0], replace(name, rules=r.text(3)), *TINY.fields[2:])
    )
    assert [p.rule for p in validate_relation(con, shorter, relation, "t", line="line")] == [
        "at most 3 characters"
    ]


def test_a_table_without_lines_names_a_failing_row_by_its_key_and_counts_every_failure():
    con = memory_db()
    relation = tiny_table(con, [(n, n, "x" * 21) for n in range(1, 26)])
    con.execute(f"ALTER TABLE {relation} DROP COLUMN line")
    problems = validate_relation(con, TINY, relation, "marts.tiny")
    too_long = [p for p in problems if p.rule == "at most 20 characters"]
    assert [p.row for p in too_long[:3]] == ["1", "10", "11"]  # key order, as text
    assert too_long[-1].value == "... 25 rows in all" and len(too_long) == 21


def test_create_table_sql_quotes_identifiers():
    spec = TableSpec("t", "d", (Field('we"ird', STRING, "x"), Field("n", INT, "y", True)), ())
    sql = spec.create_table_sql(qualified("main", 'odd"table'))
    with memory_db() as con:
        con.execute(sql)
        described = con.execute('DESCRIBE "main"."odd""table"').fetchall()
    assert [(row[0], row[1], row[2]) for row in described] == [
        ('we"ird', "VARCHAR", "NO"),
        ("n", "INTEGER", "YES"),
    ]


def test_arrow_schema_carries_descriptions_and_nullability():
    schema = TINY.arrow_schema({"k": "v"})
    assert schema.names == TINY.column_names
    assert schema.field("name").metadata == {b"description": b"A name."}
    assert schema.field("tags").type == pyarrow.list_(pyarrow.string())
    assert schema.field("amount").type == pyarrow.decimal128(18, 2)
    assert schema.field("id").nullable is False and schema.field("amount").nullable is True
    assert schema.metadata == {b"k": b"v"}


def test_a_spec_naming_an_unknown_column_is_refused():
    with pytest.raises(ValueError, match="unknown columns"):
        TableSpec("t", "d", (Field("a", INT, "x"),), ("b",))


# --- model specs in YAML -------------------------------------------------------------------


def write_spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_model_spec_reuses_shared_fields_by_name_and_compiles_its_rules(tmp_path):
    path = write_spec(
        tmp_path,
        """
description: A mart for a test.
primary_key: [country_iso3]
columns:
  - country_iso3
  - {shared: rank, description: Rank in the test.}
  - name: status
    type: string
    description: A status.
    rules: [{one_of: [a, b]}, text]
row_rules:
  - {ordered: [rank, rank]}
""",
    )
    spec, materialized, description = load_model_spec(path, "m")
    assert (materialized, description) == ("table", "A mart for a test.")
    assert spec.field("country_iso3").rules[0].kind == "pattern"
    assert spec.field("rank").description == "Rank in the test."
    assert spec.field("rank").rules == (r.positive(),)
    assert [rule.kind for rule in spec.field("status").rules] == [
        "one_of",
        "max_length",
        "no_control_chars",
        "no_formula_prefix",
        "trimmed",
    ]
    assert spec.row_rules[0].name == "rank <= rank"


def test_a_model_column_named_as_another_tables_is_that_column(tmp_path):
    """A staging column passed on from a raw file or made for a mart is described there, once:
    the spec takes its type, rules and description (only whether it may be empty may change)."""
    (tmp_path / "marts").mkdir()
    (tmp_path / "staging").mkdir()
    (tmp_path / "marts" / "x.yml").write_text(
        "columns:\n  - {name: a, type: int, description: The a., rules: [{at_least: 1}]}\n",
        encoding="utf-8",
    )
    path = tmp_path / "staging" / "m.yml"
    path.write_text(
        "columns:\n  - raw.funding_claims.currency\n  - {same_as: marts.x.a, nullable: true}\n",
        encoding="utf-8",
    )
    spec = load_model_spec(path, "m")[0]
    funding = next(t.spec for t in RAW_TABLES if t.name == "funding_claims")
    assert spec.field("currency") == funding.field("currency")
    assert spec.field("a").description == "The a." and spec.field("a").nullable
    assert spec.field("a").rules == (r.at_least(1),) and spec.field("a").dtype == "int"


def test_a_kept_model_spec_is_made_again_when_a_file_it_was_made_of_changes(tmp_path):
    """A spec is kept with the texts of its YAML and of those its references name at any depth:
    an edit of the same size, two references away, is seen; an unchanged spec is the kept one."""
    (tmp_path / "marts").mkdir()
    (tmp_path / "staging").mkdir()
    x = tmp_path / "marts" / "x.yml"
    x.write_text("columns:\n  - {name: a, type: int, description: The a.}\n", encoding="utf-8")
    (tmp_path / "marts" / "y.yml").write_text("columns:\n  - marts.x.a\n", encoding="utf-8")
    path = tmp_path / "staging" / "m.yml"
    path.write_text("columns:\n  - marts.y.a\n", encoding="utf-8")
    first = load_model_spec(path, "m")[0]
    assert load_model_spec(path, "m")[0] is first and first.field("a").description == "The a."
    x.write_text("columns:\n  - {name: a, type: int, description: The b.}\n", encoding="utf-8")
    assert load_model_spec(path, "m")[0].field("a").description == "The b."
    x.unlink()
    with pytest.raises(SpecError, match="x.yml"):
        load_model_spec(path, "m")


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ("raw.no_such_table.a", "no raw table no_such_table has a spec"),
        ("raw.funding_claims.no_such_column", "raw.funding_claims has no column no_such_column"),
        ("marts.no_such_mart.a", "no_such_mart.yml"),
        ("{same_as: raw.funding_claims.currency, description: Again.}", "only nullable may change"),
        ("raw.funding_claims", "named layer.table.column"),
    ],
)
def test_a_column_naming_another_table_wrongly_is_refused_naming_its_file(
    tmp_path, column, message
):
    path = write_spec(tmp_path, f"columns:\n  - {column}\n")
    with pytest.raises(SpecError, match=message) as raised:
        load_model_spec(path, "m")
    assert str(path) in str(raised.value)


def test_a_model_without_a_spec_is_refused_in_one_line_naming_its_file(tmp_path):
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    for layer in ("staging", "marts"):
        sql = models / layer / f"{layer}_unspecified.sql"
        sql.write_text("SELECT 1 AS one\n", encoding="utf-8")
        with pytest.raises(ModelError) as raised:
            discover(models)
        assert str(raised.value) == (
            f"{sql}: a model needs a spec with its columns beside it ({sql.stem}.yml)"
        )
        sql.unlink()
    assert all(model.spec is not None for model in discover(models))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("columns: [{name: a, type: money, description: x}]", "unknown type"),
        ("columns: [no_such_shared_field]", "no_such_shared_field"),
        ("materialized: sometimes", "materialized is one of"),
        ("colums: []", "unknown keys"),
        ("columns: [a\n", "not readable YAML"),
    ],
)
def test_a_malformed_model_spec_is_refused_naming_its_file(tmp_path, text, message):
    path = write_spec(tmp_path, text)
    with pytest.raises(SpecError, match=message) as raised:
        load_model_spec(path, "m")
    assert str(path) in str(raised.value)
