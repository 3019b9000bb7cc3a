"""Building the SQL models (discovered by discover.py) in order, and checking each model against
its spec, inside DuckDB, and each mart by its checks beyond the spec (SQL files beside it, run by
mart_checks.py), once every model is built. A partial build replaces the models it builds and
leaves the others. A staging model whose rows are validated in a mart (`validated_in`,
schemas/model_specs.py; the claim verified by discover.py) is not scanned again when the build
builds that mart too and the mart passes: its check passes saying where its rows were validated
(Outcome.notes). Without the mart in the build, or when the mart fails, it is validated itself.

Belongs here: building one model and running a build's models. Stays out: discovering them
(discover.py), Dagster (defs/), validating the result (transforms/validation.py).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.schemas.spec import quote_ident
from pipeline.transforms.duck import (
    create_typed_table,
    drop_relation,
    ensure_schema,
    fresh_schema,
    relations,
    run,
)
from pipeline.transforms.models.changes import release_changes
from pipeline.transforms.models.discover import Model, model_key
from pipeline.transforms.models.mart_checks import mart_checks, run_check
from pipeline.transforms.outcome import Outcome
from pipeline.transforms.validation import validate_relation

CHECK_SCHEMA = "follows_schema"  # every model's, staging and marts


def validated_there(mart: str) -> str:
    """What the check of a model validated in `mart` says when it was not run again."""
    return (
        f"passed: its rows were validated in {mart}, built in this build, by that mart's "
        f"{CHECK_SCHEMA} (its columns and rules are the mart's); not scanned again here"
    )


def build(con: duckdb.DuckDBPyConnection, model: Model, sql: str | None = None) -> None:
    """Create the model's table or view; a spec fixes its columns, order and types. A view is
    not run here (its rows are counted once, when its materialization is reported). `sql`: the
    model's SQL as run (a split build's, run_models)."""
    ensure_schema(con, model.layer)
    sql = model.sql if sql is None else sql
    if model.materialized == "view":
        casts = ", ".join(
            f"CAST({quote_ident(f.name)} AS {f.duckdb_type}) AS {quote_ident(f.name)}"
            for f in model.spec.fields
        )
        run(con, f"CREATE OR REPLACE VIEW {model.quoted} AS\nSELECT {casts} FROM (\n{sql}\n)")  # noqa: S608
    else:  # validated after the build, naming any empty required cell
        create_typed_table(con, model.layer, model.spec, sql, not_null=False)


def run_models(
    con: duckdb.DuckDBPyConnection,
    models: list[Model],
    previous_release: Path | None = None,
    previous_id: str | None = None,
    compared: list[Model] | None = None,
    fresh: bool = True,
    checked: dict[str, str] | None = None,
    known: dict[str, dict[str, int]] | None = None,
    split: dict[str, tuple[str, str, str]] | None = None,
) -> list[Outcome]:
    """Build the models in order (the computed release changes compare `compared`, every SQL
    mart by default, with `previous_release`, the current release's folder), then validate each
    model against its spec, and each mart against its extra checks (which may read other marts,
    so they run once all are built). `fresh`: every model of their layers is built, which start
    empty; otherwise (a partial build) each model built replaces its relation and the others
    stay. `checked`: {relation ("marts.x"): SQL condition} of the rows validated, where a build
    reuses the others from the published release, validated there (pipeline/reuse.py); `known`:
    {mart: {source_id: rows}} of those rows, for the release changes; `split`: {model: (kept,
    relation, rows)} of table models whose rows `kept` selects stay as they are in a partial
    build (they are made of reused rows), the others built by their SQL reading of `relation`
    the rows `rows` selects. A model validated in a mart of `models` is not validated again
    unless that mart's check fails (module docstring)."""
    if fresh:
        for layer in sorted({model.layer for model in models}):
            fresh_schema(con, layer)
    if compared is None:
        compared = [m for m in models if m.layer == "marts" and not m.computed]
    outcomes = []
    for model in models:
        kept = None if fresh else (split or {}).get(model.name)
        if kept and model.name in relations(con, model.layer):
            run(
                con,
                f"CREATE OR REPLACE TEMP TABLE kept AS SELECT * FROM {model.quoted} "  # noqa: S608
                f"WHERE {kept[0]}",
            )
        else:
            kept = None
        if not fresh:
            drop_relation(con, model.layer, model.name)
        if model.computed:
            release_changes(con, compared, previous_release, previous_id, known)
        elif kept:
            _, relation, rows = kept
            run(
                con,
                f"CREATE OR REPLACE TEMP VIEW split_rows AS SELECT * FROM {relation} "  # noqa: S608
                f"WHERE {rows}",
            )
            build(con, model, model.sql.replace(relation, "temp.main.split_rows"))
            run(con, f"INSERT INTO {model.quoted} SELECT * FROM temp.main.kept")  # noqa: S608
        else:
            build(con, model)
        outcomes.append(Outcome(model_key(model), model.relation))
    built = {model.relation: outcome for model, outcome in zip(models, outcomes, strict=True)}
    where = checked or {}
    covered = {  # the mart in the build checks the same rows of it (the reused parts aside)
        m.relation: m.validated_in
        for m in models
        if m.validated_in in built
        and where.get(m.relation, "TRUE") == where.get(m.validated_in, "TRUE")
    }
    for model, outcome in zip(models, outcomes, strict=True):
        if model.relation not in covered:
            outcome.checks[CHECK_SCHEMA] = _follows_schema(con, model, checked)
        for check in mart_checks(model.path):
            outcome.checks[check.name] = run_check(con, check)
    for model, outcome in zip(models, outcomes, strict=True):
        if (mart := covered.get(model.relation)) is None:
            continue
        if built[mart].checks[CHECK_SCHEMA]:  # the mart failed: this model's own failures
            outcome.checks[CHECK_SCHEMA] = _follows_schema(con, model, checked)
        else:
            outcome.checks[CHECK_SCHEMA] = []
            outcome.notes[CHECK_SCHEMA] = validated_there(mart)
    return outcomes


def _follows_schema(con, model: Model, checked: dict[str, str] | None) -> list:
    """The model's rows (those `checked` selects for its relation) against its spec."""
    relation = model.quoted
    if (condition := (checked or {}).get(model.relation, "TRUE")) != "TRUE":
        relation = f"(SELECT * FROM {model.quoted} WHERE {condition})"  # noqa: S608
    return validate_relation(con, model.spec, relation, model.relation)
