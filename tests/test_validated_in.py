"""A staging model whose rows are validated in a mart (`validated_in`, pipeline/schemas/
model_specs.py): discovery refuses a claim that does not hold, in one line naming the YAML and
what differs; a build that builds the mart validates the model's rows there only and says so
(the check's description and messages, the refresh's notes); a build without the mart, or one
whose mart fails, validates the model itself. And the claim's one premise discovery cannot see,
that marts.indicators passes on every row of staging.stg_sources__indicators unchanged, is
compared row by row.

The refusals run at unit level on copies of the models folder; the builds on an in-memory
DuckDB with a synthetic long-format source (the real sources step and models); one published
refresh through the real Dagster graph, then a selection of the staging model alone.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import pytest

from benchmarks.synthetic_source import write_source
from pipeline.defs.factory import build_definitions
from pipeline.lineage import build_graph, long_source_key
from pipeline.release import read_manifest
from pipeline.schemas.indicator_sources import LONG_SOURCE
from pipeline.schemas.model_specs import SpecError, load_model_spec
from pipeline.settings import MODELS_DIR
from pipeline.transforms.models.discover import ModelError, discover, model_key, tables_read
from pipeline.transforms.models.run import CHECK_SCHEMA, run_models, validated_there
from pipeline.transforms.problems import Problem
from pipeline.transforms.sources.indicator_sources import source_table
from pipeline.transforms.sources.read_all import CHECK_ROWS
from tests.harness import copy_raw, edit_csv, materialize, project, run_steps

STAGING, MART = "staging.stg_sources__indicators", "marts.indicators"
STAGING_KEY, MART_KEY = "stg_sources__indicators", "mart_indicators"
SPEC = Path("staging") / "stg_sources__indicators.yml"
MART_SPEC = load_model_spec(MODELS_DIR / "marts" / "indicators.yml", "indicators")[0]
SOURCE_ID, SOURCE_ROWS = "checked_once", 25_000  # 200 countries x 125 years x 1 indicator
CLAIM = f"validated_in: {MART}"


# --- the claim, verified when the models are discovered ---------------------------------------


def plain(column: str) -> str:
    return f"  - {MART}.{column}\n"


def spelled_out(column: str, **changes) -> str:
    """The mart's column written out in full (JSON is YAML), with `changes`."""
    field = MART_SPEC.field(column)
    written = {"name": column, "type": field.dtype, "description": field.description}
    written |= {"nullable": field.nullable} | changes
    return f"  - {json.dumps(written)}\n"


def rules_of(column: str) -> list[str]:
    return [rule.name for rule in MART_SPEC.field(column).rules]


REFUSED = {
    "no such mart": (
        CLAIM,
        "validated_in: marts.no_such_mart",
        "marts.no_such_mart: no such mart",
    ),
    "a mart that does not read it": (
        CLAIM,
        "validated_in: marts.countries",
        f"marts.countries: its SQL does not read {STAGING}",
    ),
    "another key": (
        "primary_key: [source_id, country_iso3, edition_year, factor_code, scope]",
        "primary_key: [source_id, country_iso3, edition_year, factor_code]",
        f"{MART}: primary key ['source_id', 'country_iso3', 'edition_year', 'factor_code'] "
        f"here, {list(MART_SPEC.primary_key)} there",
    ),
    "a nullability override": (
        plain("score"),
        f"  - {{same_as: {MART}.score, nullable: false}}\n",
        f"{MART}: column score: nullable False here, {MART_SPEC.field('score').nullable!r} in "
        f"the mart (a plain `- {MART}.score` is)",
    ),
    "fewer rules": (
        plain("factor_code"),
        spelled_out("factor_code"),
        f"{MART}: column factor_code: rules [] here, {rules_of('factor_code')!r} in the mart "
        f"(a plain `- {MART}.factor_code` is)",
    ),
    "another type": (
        plain("source_line"),
        spelled_out("source_line", type="float", rules=[{"at_least": 1}]),
        f"{MART}: column source_line: dtype 'float' here, "
        f"{MART_SPEC.field('source_line').dtype!r} in the mart (a plain `- {MART}.source_line` "
        "is)",
    ),
    "a column of its own": (
        plain("score_high"),
        plain("score_high") + "  - {name: score_note, type: string, description: Its own.}\n",
        f"{MART}: column score_note is not one of the mart's",
    ),
    "a row rule of its own": (
        "row_rules:\n",
        "row_rules:\n  - {ordered: [rank, n_ranked], name: rank within n_ranked}\n",
        f"{MART}: row rule 'rank within n_ranked' is not one of the mart's",
    ),
}


def models_copy(tmp_path: Path) -> Path:
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    return models


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_staging_model_of_long_sources_is_validated_in_the_indicators_mart():
    models = {m.relation: m for m in discover(MODELS_DIR)}
    assert models[STAGING].validated_in == MART
    assert STAGING in models[MART].reads
    # Its columns are the mart's, with no override (its two never-empty columns included).
    for field in models[STAGING].spec.fields:
        assert field == MART_SPEC.field(field.name), field.name


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_claim_that_does_not_hold_is_refused_in_one_line_naming_the_file(tmp_path, case):
    old, new, differs = REFUSED[case]
    models = models_copy(tmp_path)
    edit(models / SPEC, old, new)
    if case == "a mart that does not read it":  # the premise of the case, from the SQL
        assert STAGING not in tables_read((models / "marts" / "countries.sql").read_text())
    with pytest.raises(ModelError) as raised:
        discover(models)
    assert str(raised.value) == f"{models / SPEC}: validated_in {differs}"
    assert "\n" not in str(raised.value)


def test_only_a_staging_model_may_say_it_and_only_of_a_mart(tmp_path):
    models = models_copy(tmp_path)
    coverage = models / "marts" / "coverage.yml"
    kept = coverage.read_text(encoding="utf-8")
    coverage.write_text(f"{CLAIM}\n{kept}", encoding="utf-8")
    with pytest.raises(ModelError) as raised:
        discover(models)
    assert str(raised.value) == (
        f"{coverage}: validated_in {MART}: only a staging model's rows are validated in a mart"
    )
    coverage.write_text(kept, encoding="utf-8")
    edit(models / SPEC, CLAIM, f"validated_in: {STAGING}")
    with pytest.raises(SpecError) as raised:
        discover(models)
    assert str(raised.value) == (
        f"{models / SPEC}: validated_in names a mart as marts.<name>, not '{STAGING}'"
    )


# --- builds on an in-memory DuckDB ----------------------------------------------------------


@pytest.fixture(scope="module")
def raw_with_source(tmp_path_factory) -> Path:
    """raw/ with a synthetic long-format CSV source (one indicator, 200 countries x 125 years)."""
    raw_dir = copy_raw(tmp_path_factory.mktemp("validated_in"))
    write_source(raw_dir / "indicators", SOURCE_ROWS, SOURCE_ID, as_csv=True)
    return raw_dir


def sources_read(raw_dir: Path, base: Path):
    """The sources step (offline) on an in-memory DuckDB, every check passed."""
    steps = run_steps(raw_dir, base, models=False)
    assert not steps.failed(), steps.failed()
    return steps


def break_one_row(con) -> tuple[str, str, str]:
    """The row of the source's middle line moved to the year 1700, in its typed table (a value
    the staging model's and the mart's rules refuse): (the row's key in the models, the column,
    the rule), from the data and the spec."""
    table = source_table(SOURCE_ID)
    (line,) = con.execute(f"SELECT median(line)::INTEGER FROM {table}").fetchone()  # noqa: S608
    con.execute(f"UPDATE {table} SET year = 1700 WHERE line = ?", [line])  # noqa: S608
    country, code = con.execute(
        f"SELECT country_iso3, indicator_code FROM {table} WHERE line = ?",  # noqa: S608
        [line],
    ).fetchone()
    rule = MART_SPEC.field("edition_year").rules[0].name
    return f"{SOURCE_ID}/{country}/1700/{code}/global", "edition_year", rule


def by_relation(outcomes) -> dict:
    return {o.relation: o for o in outcomes if o.relation}


def test_a_build_with_the_mart_validates_the_rows_there_only_and_says_so(raw_with_source, tmp_path):
    steps = sources_read(raw_with_source, tmp_path)
    models = build_graph(raw_with_source, MODELS_DIR).models
    outcomes = by_relation(run_models(steps.con, models))
    assert outcomes[MART].checks[CHECK_SCHEMA] == []
    assert not outcomes[MART].notes  # the mart scanned them
    assert outcomes[STAGING].checks[CHECK_SCHEMA] == []
    assert outcomes[STAGING].notes == {CHECK_SCHEMA: validated_there(MART)}
    # What the claim rests on: every row of the staging model is in the mart, unchanged.
    staging = next(m for m in models if m.relation == STAGING)
    columns = ", ".join(staging.spec.column_names)
    table = source_table(SOURCE_ID)
    (typed,) = steps.con.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
    counts = steps.con.execute(
        f"SELECT (SELECT count(*) FROM {STAGING}), (SELECT count(*) FROM (SELECT {columns} "  # noqa: S608
        f"FROM {STAGING} EXCEPT ALL SELECT {columns} FROM {MART}))"
    ).fetchone()
    assert counts == (typed, 0)


def test_a_bad_row_fails_the_mart_and_the_staging_model_then_names_it_itself(
    raw_with_source, tmp_path
):
    steps = sources_read(raw_with_source, tmp_path)
    key, column, rule = break_one_row(steps.con)
    outcomes = by_relation(run_models(steps.con, build_graph(raw_with_source, MODELS_DIR).models))
    for relation in (MART, STAGING):
        expected = Problem(relation, None, column, rule, "1700", row=key)
        assert outcomes[relation].checks[CHECK_SCHEMA] == [expected], relation
        assert not outcomes[relation].notes


def test_a_mart_checking_fewer_of_its_rows_than_the_model_does_not_stand_for_its_check(
    raw_with_source, tmp_path
):
    """Rows a build does not check in the mart (`checked`: a reused part's) are not covered."""
    steps = sources_read(raw_with_source, tmp_path)
    key, column, rule = break_one_row(steps.con)
    others = {MART: f"source_id <> '{SOURCE_ID}'"}
    models = build_graph(raw_with_source, MODELS_DIR).models
    outcomes = by_relation(run_models(steps.con, models, checked=others))
    assert outcomes[MART].checks[CHECK_SCHEMA] == []  # the source's rows were not its to check
    assert outcomes[STAGING].checks[CHECK_SCHEMA] == [
        Problem(STAGING, None, column, rule, "1700", row=key)
    ]


def test_a_build_without_the_mart_validates_the_staging_model_itself(raw_with_source, tmp_path):
    steps = sources_read(raw_with_source, tmp_path)
    graph = build_graph(raw_with_source, MODELS_DIR)
    needed = graph.needed_by({STAGING_KEY})
    chosen = [m for m in graph.models if model_key(m) in needed]
    assert MART not in {m.relation for m in chosen} and STAGING in {m.relation for m in chosen}
    staging = by_relation(run_models(steps.con, chosen))[STAGING]
    assert staging.checks[CHECK_SCHEMA] == [] and not staging.notes
    key, column, rule = break_one_row(steps.con)
    staging = by_relation(run_models(steps.con, chosen))[STAGING]
    (problem,) = staging.checks[CHECK_SCHEMA]
    assert problem == Problem(STAGING, None, column, rule, "1700", row=key)
    assert problem.message() == (
        f"{STAGING}, row {key}, column '{column}': rule '{rule}' failed (value: '1700')"
    )


# --- a published refresh, then a selection of the staging model -------------------------------


def schema_check(result, key: str):
    (evaluation,) = [
        e
        for e in result.get_asset_check_evaluations()
        if e.asset_key.to_user_string() == key and e.check_name == CHECK_SCHEMA
    ]
    return evaluation


def notes(instance, result) -> list[str]:
    """The refresh's notes (what the CLI prints): the run's log messages."""
    return [entry.user_message for entry in instance.all_logs(result.run_id)]


def test_a_refresh_reports_the_staging_check_as_done_in_the_mart_unless_the_mart_is_not_built(
    raw_with_source, tmp_path
):
    raw_dir = tmp_path / "raw"
    shutil.copytree(raw_with_source, raw_dir)
    instance = dg.DagsterInstance.ephemeral()
    run = materialize(raw_dir, tmp_path, instance=instance)
    assert run.result.success, run.failed_checks()
    said = validated_there(MART)
    staging = schema_check(run.result, STAGING_KEY)
    assert staging.passed and staging.description == said
    assert staging.metadata["messages"].value == said
    mart = schema_check(run.result, MART_KEY)
    assert mart.passed and mart.description is None
    assert f"{STAGING}: {CHECK_SCHEMA} {said}" in notes(instance, run.result)

    # A selection of the staging model alone: the mart is not built, the model checks itself.
    resource = project(tmp_path, raw_dir)
    assets = list(build_definitions(raw_dir, MODELS_DIR, resource).assets)
    selected = dg.materialize(
        assets, selection=STAGING_KEY, resources={"project": resource}, instance=instance
    )
    built = {e.asset_key.to_user_string() for e in selected.get_asset_materialization_events()}
    assert STAGING_KEY in built and MART_KEY not in built
    staging = schema_check(selected, STAGING_KEY)
    assert staging.passed and staging.description is None
    assert staging.metadata["messages"].value == "passed"
    assert not [n for n in notes(instance, selected) if said in n]

    # A bad row in the source, the staging model selected: refused with file, line, column, rule.
    data = raw_dir / "indicators" / f"{SOURCE_ID}.csv"
    line, old = 2, data.read_text(encoding="utf-8").splitlines()[1]
    country, _, code, value = old.split(",")
    edit_csv(data, f"\n{old}\n", f"\n{country},1700,{code},{value}\n")
    release = read_manifest(run.layout.current_release())["release_id"]
    refused = dg.materialize(
        assets,
        selection=STAGING_KEY,
        resources={"project": resource},
        instance=instance,
        raise_on_error=False,
    )
    assert not refused.success
    rule = LONG_SOURCE.field("year").rules[0].name
    (evaluation,) = [
        e
        for e in refused.get_asset_check_evaluations()
        if e.asset_key.to_user_string() == long_source_key(SOURCE_ID) and not e.passed
    ]
    assert evaluation.check_name == CHECK_ROWS
    assert evaluation.metadata["messages"].value == (
        f"raw/indicators/{SOURCE_ID}.csv, line {line}, column 'year': rule '{rule}' failed "
        "(value: '1700')"
    )
    assert read_manifest(run.layout.current_release())["release_id"] == release
