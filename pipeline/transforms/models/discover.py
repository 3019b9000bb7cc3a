"""SQL models: every `sql/<layer>/<name>.sql` is a table `<layer>.<name>`, with its spec
`<name>.yml` beside it (columns, key, rules, materialization): a model without one is refused.
A mart's checks are `<name>.<check_name>.check.sql` beside it (run by mart_checks.py). What a
model reads comes from its SQL (DuckDB lists the tables a query reads); the build order is a
topological sort. Adding a staging model, a mart or a check is adding its files: nothing else
lists them. A staging model whose spec says `validated_in: marts.x` (schemas/model_specs.py) is
checked against x here, and refused in one line naming its YAML and what differs.

Belongs here: the `Model` record, discovering models, their lineage and order, verifying a
`validated_in` claim, and the computed mart of release changes. Stays out: building and
checking them (run.py), Dagster (defs/).
"""

from __future__ import annotations

import functools
import graphlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.schemas.model_specs import VALIDATED_IN, load_model_spec, validated_in
from pipeline.schemas.spec import TableSpec, qualified
from pipeline.transforms.models.changes import RELEASE_CHANGES

LAYERS = ("staging", "marts")
CHECK_SUFFIX = ".check.sql"  # a mart's check beside it, not a model (mart_checks.py)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class ModelError(ValueError):
    """A model that cannot be built as declared; the message names its file."""


@dataclass(frozen=True)
class Model:
    layer: str
    name: str
    sql: str
    path: Path
    spec: TableSpec
    materialized: str  # "table" or "view"
    description: str
    reads: tuple[str, ...]  # relations the SQL reads, as "schema.table"
    computed: bool = False  # built by Python from the other marts, not by SQL (release changes)
    validated_in: str | None = None  # the mart its rows are validated in, when built with it

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
        paths = sorted((models_dir / layer).glob("*.sql"))
        for path in (p for p in paths if not p.name.endswith(CHECK_SUFFIX)):
            model = _model(layer, path, models)
            models[model.relation] = model
        for path in (p for p in paths if p.name.endswith(CHECK_SUFFIX)):
            if layer != "marts" or f"marts.{path.name.split('.', 1)[0]}" not in models:
                raise ModelError(f"{path}: a check of a mart that does not exist")
    for model in models.values():
        if model.validated_in and (differs := claim_problem(model, models)):
            raise ModelError(f"{model.path.with_suffix('.yml')}: {VALIDATED_IN} {differs}")
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
    spec, description, claim = None, "", None
    spec_path = path.with_suffix(".yml")
    if spec_path.is_file():
        spec, materialized, description = load_model_spec(spec_path, name, materialized)
        claim = validated_in(spec_path)
    if spec is None:
        raise ModelError(
            f"{path}: a model needs a spec with its columns beside it ({spec_path.name})"
        )
    description = description or _leading_comment(sql)
    return Model(layer, name, sql, path, spec, materialized, description, reads, validated_in=claim)


def claim_problem(model: Model, models: dict[str, Model]) -> str:
    """What makes `model`'s `validated_in` claim false, in a few words, or '' when it holds:
    the mart reads the model, has its key, and every column and row rule of the model is the
    mart's own (schemas/model_specs.py)."""
    target = models.get(mart_relation := model.validated_in)
    if model.layer != "staging":
        return f"{mart_relation}: only a staging model's rows are validated in a mart"
    if target is None or target.layer != "marts":
        return f"{mart_relation}: no such mart"
    if model.relation not in target.reads:
        return f"{mart_relation}: its SQL does not read {model.relation}"
    spec, mart = model.spec, target.spec
    if spec.primary_key != mart.primary_key:
        return (
            f"{mart_relation}: primary key {list(spec.primary_key)} here, "
            f"{list(mart.primary_key)} there"
        )
    for field in spec.fields:
        if field.name not in mart.column_names:
            return f"{mart_relation}: column {field.name} is not one of the mart's"
        if differs := _field_difference(field, mart.field(field.name)):
            plain = f"- {mart_relation}.{field.name}"
            return f"{mart_relation}: column {field.name}: {differs} (a plain `{plain}` is)"
    for rule in spec.row_rules:
        if rule not in mart.row_rules:
            return f"{mart_relation}: row rule '{rule.name}' is not one of the mart's"
    return ""


def _field_difference(field, theirs) -> str:
    """How a column differs from the mart's ('' when it is the mart's, attribute for attribute)."""
    for attribute in ("dtype", "nullable", "rules", "description"):
        here, there = getattr(field, attribute), getattr(theirs, attribute)
        if here != there:
            if attribute == "rules" and [r.name for r in here] != [r.name for r in there]:
                here, there = [r.name for r in here], [r.name for r in there]
            return f"{attribute} {here!r} here, {there!r} in the mart"
    return "" if field == theirs else "not the mart's column"


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


def release_changes_model(marts: list[Model]) -> Model:
    """marts.release_changes: every SQL mart compared with the previous release."""
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


def every_model(models_dir: Path) -> list[Model]:
    """Every model under `models_dir` in build order, then the computed release changes, which
    compare every SQL mart with the previous release."""
    models = discover(models_dir)
    return [*models, release_changes_model([m for m in models if m.layer == "marts"])]
