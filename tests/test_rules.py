"""Rules are declared once (schemas/rules.py) and compiled twice, to pandera and to SQL. One
parity test per rule kind and per row-rule kind runs both forms on the same values; the custom
rules (schemas/custom_rules.py) have one parity test each. Every rule of every spec compiles
to SQL that runs. The specs derive the pandera schema, the DDL, the Arrow schema; the YAML
model specs load into the same TableSpec, and a malformed one is refused by file.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pandera.errors
import pyarrow
import pytest

from pipeline.schemas import rules as r
from pipeline.schemas.custom_rules import CUSTOM_ROW_RULES
from pipeline.schemas.dated import bound_by_access
from pipeline.schemas.indicator_sources import LONG_SOURCE
from pipeline.schemas.model_specs import SpecError, load_model_spec
from pipeline.schemas.provenance import SOURCE_FILES
from pipeline.schemas.raw import RAW_TABLES
from pipeline.schemas.spec import DATE, DECIMAL, INT, LIST, STRING, Field, TableSpec, qualified
from pipeline.schemas.wjp import WJP_SNAPSHOT, WJP_TABLES
from pipeline.settings import MODELS_DIR
from pipeline.transforms.models import discover
from pipeline.transforms.problems import validate_frame
from tests.harness import memory_db

YESTERDAY = dt.date.today() - dt.timedelta(days=1)
TOMORROW = dt.date.today() + dt.timedelta(days=1)
THIS_YEAR = dt.date.today().year

# For each rule kind: (rule, values). Both engines must give the same verdict on each value.
KIND_CASES: dict[str, list[tuple[r.Rule, list]]] = {
    "one_of": [(r.one_of(["a", "b"]), ["a", "b", "c", "A", "", None])],
    "between": [
        (r.between(0, 8), [0, 8, 9, -1, 4, None]),
        (r.year_between(1990, 2100), [1989, 2000]),
    ],
    "at_least": [
        (r.at_least(1), [1, 0, -3, 7, None]),
        (r.at_least(0), [Decimal("-1.00"), Decimal("0")]),
    ],
    "pattern": [
        (r.pattern(r"[A-Z]{3}", "three capital letters"), ["KAZ", "kaz", "KAZA", "KA", "", None]),
        (r.pattern(r"err_[a-z0-9_]+", "an id"), ["err_x1", "err_", "xerr_a", "err_a\n"]),
    ],
    "max_length": [(r.Rule("max_length", (3,)), ["abc", "abcd", "", "ééé", "éééé", None])],
    "no_control_chars": [
        (r.Rule("no_control_chars"), ["plain", "tab\tok", "bell\x07", "nl\nok", "\x1f"])
    ],
    "no_formula_prefix": [
        (r.Rule("no_formula_prefix"), ["=SUM(A1)", "+1", "-2", "@x", "a=b", "x"])
    ],
    "trimmed": [(r.Rule("trimmed"), ["x", " x", "x ", "\u00a0x", "x\u3000", "a b"])],
    "not_in_future": [
        (r.not_in_future(), [YESTERDAY, dt.date.today(), TOMORROW, None]),
        (r.not_in_future("year"), [THIS_YEAR - 1, THIS_YEAR, THIS_YEAR + 1, None]),
        # bound to an origin record's date_accessed (schemas/dated.py), and never after today
        (
            r.Rule("not_in_future", ("date", "2020-06-01")),
            [dt.date(2020, 6, 1), dt.date(2020, 6, 2), YESTERDAY, None],
        ),
        (r.Rule("not_in_future", ("year", "2020-06-01")), [2019, 2020, 2021, None]),
        (r.Rule("not_in_future", ("date", "2999-01-01")), [YESTERDAY, TOMORROW]),
    ],
    "items_match": [
        (r.items_match(r"[A-Z]{3}", "alpha-3 codes"), [["KAZ", "UZB"], ["KAZ", "uzb"], [], None]),
    ],
}


def sql_verdicts(rule: r.Rule, values: list) -> list[bool]:
    frame = pd.DataFrame({"v": pd.Series(values, dtype=object)})
    with memory_db() as con:
        if values and all(isinstance(v, list) or v is None for v in values):
            con.execute("CREATE TABLE t (i INTEGER, v VARCHAR[])")
            con.executemany("INSERT INTO t VALUES (?, ?)", list(enumerate(values)))
        else:
            con.register("frame", frame.assign(i=range(len(values))))
            con.execute("CREATE TABLE t AS SELECT i, v FROM frame")
        rows = con.execute(f"SELECT {rule.holds_sql('v')} FROM t ORDER BY i").fetchall()  # noqa: S608
    return [bool(row[0]) for row in rows]


def test_every_rule_kind_has_parity_cases():
    assert set(KIND_CASES) == set(r.KINDS)


@pytest.mark.parametrize(
    ("rule", "values"),
    [
        pytest.param(rule, values, id=kind)
        for kind, cases in KIND_CASES.items()
        for rule, values in cases
    ],
)
def test_pandera_and_sql_forms_of_a_rule_agree_value_by_value(rule, values):
    pandas_verdicts = rule.holds_pandas(pd.Series(values, dtype=object)).tolist()
    assert pandas_verdicts == sql_verdicts(rule, values)
    assert not all(pandas_verdicts), "each case must hold a value the rule refuses"
    assert any(pandas_verdicts), "each case must hold a value the rule accepts"


# Row rules: (rule, frame rows). The generic kinds and each custom pair.
ROW_CASES = [
    (r.ordered("rank", "n_ranked"), {"rank": [1, 5, 6, None, 3], "n_ranked": [5, 5, 5, 5, None]}),
    (
        r.any_present("rank", "reason", column="reason", name="reason"),
        {"rank": [1, None, None], "reason": [None, "no data", None]},
    ),
    (
        r.exactly_one_present("amount", "reason", name="one"),
        {"amount": [1.0, None, 2.0, None], "reason": [None, "x", "y", None]},
    ),
    (
        r.flag_present("known", "amount"),
        {"known": [True, False, True], "amount": [1.0, None, None]},
    ),
    (
        r.custom(
            "date_matches_precision", "event_date", "precision", "event_date", "date_precision"
        ),
        {
            "event_date": ["2022-03-01", "2022-03-15", "2022-01-01", "2022-06-01", "2022-06-15"],
            "date_precision": ["month", "month", "year", "year", "day"],
        },
    ),
    (
        r.custom("verified_iff_paper", "verification", "verified"),
        {
            "source_id": ["paper_table1", "paper_table2", "wjp_roli", "wjp_roli"],
            "verification": ["verified", None, None, "verified"],
            "verification_note": ["n", None, None, "n"],
        },
    ),
    (
        r.custom("sourced_unless_suspected", "source_urls", "sourced"),
        {
            "confidence": ["confirmed", "confirmed", "suspected", "suspected", "probable"],
            "source_urls": ["http://a", None, None, "http://a", "http://b"],
            "notes": [None, None, "why", "why", None],
        },
    ),
    (
        r.custom("record_unless_not_checked", "record_urls", "record"),
        {
            "check_status": ["verified", "verified", "not_checked", "not_checked"],
            "record_urls": ["http://a", None, None, "http://a"],
        },
    ),
    (
        r.custom("regime_type_labelled", "value_label", "labelled"),
        {
            "source_id": ["vdem_ert", "vdem_ert", "vdem_ert", "wjp_roli", "other"],
            "factor_code": ["v2x_regime", "v2x_regime", "v2x_polyarchy", "overall", "v2x_regime"],
            "value_label": ["closed autocracy", None, None, "x", None],
        },
    ),
    (
        r.custom("wjp_score_in_range", "score", "range"),
        {"source_id": ["wjp_roli", "wjp_roli", "vdem", "wjp_roli"], "score": [0.5, 1.5, 7.0, None]},
    ),
]


def test_every_row_kind_and_custom_rule_has_a_parity_case():
    kinds = {rule.kind for rule, _ in ROW_CASES}
    assert kinds == set(r.ROW_KINDS)
    assert {k.removeprefix("custom:") for k in kinds if k.startswith("custom:")} == set(
        CUSTOM_ROW_RULES
    )


@pytest.mark.parametrize(("rule", "rows"), [pytest.param(*c, id=c[0].kind) for c in ROW_CASES])
def test_pandera_and_sql_forms_of_a_row_rule_agree_row_by_row(rule, rows):
    frame = pd.DataFrame(rows)
    pandas_verdicts = rule.holds_pandas(frame).tolist()
    with memory_db() as con:
        con.register("frame", frame)
        sql = f"SELECT {rule.holds_sql()} FROM frame"  # noqa: S608
        sql_verdicts_ = [bool(row[0]) for row in con.execute(sql).fetchall()]
    assert pandas_verdicts == sql_verdicts_
    assert not all(pandas_verdicts) and any(pandas_verdicts)


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
def test_every_rule_of_every_spec_compiles_to_sql_that_runs(spec: TableSpec):
    with memory_db() as con:
        con.execute(spec.create_table_sql(qualified("main", "t")))
        counts = ", ".join(f"count_if(NOT ({c.holds}))" for c in spec.sql_checks())
        assert con.execute(f'SELECT {counts} FROM "main"."t"').fetchall()  # noqa: S608


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
    row_rules=(r.ordered("id", "id"),),
)


def tiny_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": pd.Series([2, 1], dtype="Int64"),
            "name": ["b", "a"],
            "amount": [Decimal("1.50"), None],
            "day": [dt.date(2022, 2, 1), None],
            "tags": [["x", "y"], []],
        }
    )


SCHEMA_ERRORS = (pandera.errors.SchemaError, pandera.errors.SchemaErrors)


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


def test_pandera_schema_is_strict_about_extra_columns_and_order():
    TINY.pandera_schema().validate(tiny_frame())
    with pytest.raises(SCHEMA_ERRORS, match="extra"):
        TINY.pandera_schema().validate(tiny_frame().assign(extra=[1, 2]))
    with pytest.raises(SCHEMA_ERRORS, match="out-of-order"):
        TINY.pandera_schema().validate(tiny_frame()[["name", "id", "amount", "day", "tags"]])


def test_validate_frame_names_the_line_of_each_failure_and_every_row_of_a_key_clash():
    frame = tiny_frame()
    frame.loc[1, "id"] = 2
    frame.loc[0, "name"] = " padded"
    problems = validate_frame(frame, TINY, "raw/tiny.csv", lines=[2, 3])
    found = {(p.line, p.column, p.rule, p.value) for p in problems}
    assert (2, "name", "no leading or trailing whitespace", " padded") in found
    assert {(p.line, p.rule) for p in problems if "unique" in p.rule} == {
        (2, "key (id) is unique"),
        (3, "key (id) is unique"),
    }


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
