"""SQL models: every `sql/<layer>/<name>.sql` is a table `<layer>.<name>`, optionally with a
spec `<name>.yml` beside it (columns, key, rules, materialization). What a model reads comes
from its SQL (DuckDB lists the tables a query reads); the build order is a topological sort.
Adding a staging model or a mart is adding its files: nothing else lists them.

Belongs here: discovering models, their lineage and order, and building one. Stays out:
Dagster (defs/), validating the result (validation.py).
"""

from __future__ import annotations

import functools
import graphlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.schemas.model_specs import load_model_spec
from pipeline.schemas.spec import TableSpec, qualified, quote_ident
from pipeline.transforms.duck import (
    create_typed_table,
    drop_relation,
    ensure_schema,
    fresh_schema,
    relations,
    run,
)
from pipeline.transforms.outcome import Outcome
from pipeline.transforms.validation import validate_relation

LAYERS = ("staging", "marts")
CHECK_SCHEMA = "mart_follows_schema"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ModelError(ValueError):
    """A model that cannot be built as declared; the message names its file."""


@dataclass(frozen=True)
class Model:
    layer: str
    name: str
    sql: str
    path: Path
    spec: TableSpec | None
    materialized: str  # "table" or "view"
    description: str
    reads: tuple[str, ...]  # relations the SQL reads, as "schema.table"
    computed: bool = False  # built by Python from the other marts, not by SQL (release changes)

    @property
    def relation(self) -> str:
        return f"{self.layer}.{self.name}"

    @property
    def quoted(self) -> str:
        return qualified(self.layer, self.name)


def model_key(model: Model) -> str:
    """Asset key of a model: a mart `marts.x` is `mart_x`; a staging model keeps its name."""
    return f"mart_{model.name}" if model.layer == "marts" else model.name


@functools.lru_cache(maxsize=256)
def tables_read(sql: str) -> tuple[str, ...]:
    """The qualified tables a query reads ("schema.table"), from DuckDB's own parser (kept per
    query text: the graph is built by every run, sensor tick and definitions load)."""
    names = set()
    for entry in duckdb.get_table_names(sql, qualified=True):
        name = entry.split(" AS ", 1)[0].strip()
        parts = [part.strip().strip('"') for part in name.split(".")]
        if len(parts) >= 2:
            names.add(f"{parts[-2]}.{parts[-1]}")
    return tuple(sorted(names))


def discover(models_dir: Path) -> list[Model]:
    """Every model under `models_dir`, in an order where each comes after what it reads."""
    models: dict[str, Model] = {}
    for layer in LAYERS:
        for path in sorted((models_dir / layer).glob("*.sql")):
            model = _model(layer, path, models)
            models[model.relation] = model
    order = graphlib.TopologicalSorter(
        {relation: [r for r in m.reads if r in models] for relation, m in models.items()}
    )
    try:
        return [models[relation] for relation in order.static_order()]
    except graphlib.CycleError as err:
        raise ModelError(f"models read each other in a cycle: {' -> '.join(err.args[1])}") from err


def _model(layer: str, path: Path, staging: dict[str, Model]) -> Model:
    name = path.stem
    if not _NAME.fullmatch(name):
        raise ModelError(f"{path}: a model's name is lowercase letters, digits and _")
    sql = path.read_text(encoding="utf-8")
    try:
        reads = tables_read(sql)
    except duckdb.Error as err:
        raise ModelError(f"{path}: not valid SQL ({str(err).splitlines()[0]})") from err
    materialized = _default_materialization(layer, reads, staging)
    spec, description = None, ""
    spec_path = path.with_suffix(".yml")
    if spec_path.is_file():
        spec, materialized, description = load_model_spec(spec_path, name, materialized)
    if layer == "marts" and spec is None:
        raise ModelError(
            f"{path}: a mart needs a spec with its columns beside it ({spec_path.name})"
        )
    description = description or _leading_comment(sql)
    return Model(layer, name, sql, path, spec, materialized, description, reads)


def _default_materialization(layer: str, reads, staging: dict[str, Model]) -> str:
    """A table, unless the model is a mart that reads a staging view: a staging model is a view
    when its rows are too many to copy (long-format sources), so a mart over it is a view too
    and those rows stay in their sources' typed tables, never copied. A spec may say otherwise."""
    over_view = any(
        staging[r].layer == "staging" and staging[r].materialized == "view"
        for r in reads
        if r in staging
    )
    return "view" if layer == "marts" and over_view else "table"


def _leading_comment(sql: str) -> str:
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    return " ".join(lines)


def build(con: duckdb.DuckDBPyConnection, model: Model, sql: str | None = None) -> None:
    """Create the model's table or view; a spec fixes its columns, order and types. A view is
    not run here (its rows are counted once, when its materialization is reported). `sql`: the
    model's SQL as run (a split build's, run_models)."""
    ensure_schema(con, model.layer)
    sql = model.sql if sql is None else sql
    if model.materialized == "view":
        select = sql
        if model.spec is not None:
            casts = ", ".join(
                f"CAST({quote_ident(f.name)} AS {f.duckdb_type}) AS {quote_ident(f.name)}"
                for f in model.spec.fields
            )
            select = f"SELECT {casts} FROM (\n{sql}\n)"  # noqa: S608
        run(con, f"CREATE OR REPLACE VIEW {model.quoted} AS\n{select}")
    elif model.spec is not None:  # validated after the build, naming any empty required cell
        create_typed_table(con, model.layer, model.spec, sql, not_null=False)
    else:
        run(con, f"CREATE OR REPLACE TABLE {model.quoted} AS\n{sql}")


def release_changes_model(marts: list[Model]) -> Model:
    """marts.release_changes: every SQL mart compared with the previous release."""
    from pipeline.transforms.models.changes import RELEASE_CHANGES

    return Model(
        "marts",
        RELEASE_CHANGES.name,
        "",
        Path(__file__).with_name("changes.py"),
        RELEASE_CHANGES,
        "table",
        RELEASE_CHANGES.description,
        tuple(m.relation for m in marts),
        computed=True,
    )


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
    mart against its spec and its extra checks (which may read other marts, so they run once
    all are built). `fresh`: every model of their layers is built, which start empty;
    otherwise (a partial build) each model built replaces its relation and the others stay.
    `checked`: {mart: SQL condition} of the rows validated, where a build reuses the others from
    the published release, validated there (pipeline/reuse.py); `known`: {mart: {source_id:
    rows}} of those rows, for the release changes; `split`: {model: (kept, relation, rows)} of
    table models whose rows `kept` selects stay as they are in a partial build (they are made of
    reused rows), the others built by their SQL reading of `relation` the rows `rows` selects."""
    from pipeline.transforms.models.changes import release_changes
    from pipeline.transforms.models.mart_checks import MART_CHECKS

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
    for model, outcome in zip(models, outcomes, strict=True):
        if model.layer != "marts":
            continue
        relation = model.quoted
        if (condition := (checked or {}).get(model.name, "TRUE")) != "TRUE":
            relation = f"(SELECT * FROM {model.quoted} WHERE {condition})"  # noqa: S608
        outcome.checks[CHECK_SCHEMA] = validate_relation(con, model.spec, relation, model.relation)
        for name, check in MART_CHECKS.get(model.name, {}).items():
            outcome.checks[name] = check.run(con, model)
    return outcomes
