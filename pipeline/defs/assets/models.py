"""Models: the staging tables and the marts, one SQL file each (pipeline/sql/<layer>/), built in
one step in the order their SQL implies, each its own asset with its lineage from that SQL.
Every mart has a spec beside its SQL and a blocking check that runs the spec's rules as SQL
inside DuckDB; a failure stops the exports, the report and the publish.
"""


import dagster as dg

from pipeline import lineage
from pipeline.defs.metadata import (
    known_descriptions,
    problems_metadata,
    relation_metadata,
    spec_metadata,
)
from pipeline.defs.resources import ProjectResource
from pipeline.schemas.raw import RAW_TABLES
from pipeline.transforms import models as model_sql
from pipeline.transforms.mart_checks import MART_CHECKS
from pipeline.transforms.sql_checks import validate_relation

CHECK_SCHEMA = "mart_follows_schema"


def _spec(graph: lineage.Graph, model: model_sql.Model, version: str) -> dg.AssetSpec:
    where = f"`pipeline/sql/{model.layer}/{model.name}.sql`"
    kind = "View" if model.materialized == "view" else "Table"
    return dg.AssetSpec(
        lineage.model_key(model),
        deps=graph.deps[lineage.model_key(model)],
        group_name=model.layer,
        description=f"{model.description}\n\n{kind} `{model.relation}`, built by {where}.",
        metadata=spec_metadata(model.spec) if model.spec else {},
        code_version=version,
        kinds={"duckdb", "sql"},
    )


def _checks(graph: lineage.Graph) -> list[dg.AssetCheckSpec]:
    checks = []
    for mart in graph.marts:
        key = lineage.model_key(mart)
        checks.append(
            dg.AssetCheckSpec(CHECK_SCHEMA, asset=key, blocking=True,
                              description="Types, keys and value rules of the mart's spec.")
        )
        for name, check in MART_CHECKS.get(mart.name, {}).items():
            checks.append(dg.AssetCheckSpec(name, asset=key, blocking=True, description=check.description))
    return checks


def models_asset(graph: lineage.Graph, version: str) -> dg.AssetsDefinition:
    descriptions = known_descriptions(
        [m.spec for m in graph.marts if m.spec] + [t.spec for t in RAW_TABLES]
    )

    @dg.multi_asset(
        name="models",
        specs=[_spec(graph, m, version) for m in graph.models],
        check_specs=_checks(graph),
    )
    def models(context: dg.AssetExecutionContext, project: ProjectResource):
        """Build every model in dependency order; validate each mart against its spec."""
        with project.connect(context.run_id) as con:
            for model in graph.models:
                yield from _build(con, model, descriptions)

    return models


def _build(con, model: model_sql.Model, descriptions):
    model_sql.build(con, model)
    key = lineage.model_key(model)
    yield dg.MaterializeResult(
        asset_key=key,
        metadata=relation_metadata(con, model.layer, model.name, model.spec, descriptions),
    )
    if model.layer != "marts":
        return
    problems = validate_relation(con, model.spec, model.quoted, model.relation)
    yield dg.AssetCheckResult(
        asset_key=key, check_name=CHECK_SCHEMA, passed=not problems,
        metadata=problems_metadata(problems),
    )
    for name, check in MART_CHECKS.get(model.name, {}).items():
        problems = check.run(con)
        yield dg.AssetCheckResult(
            asset_key=key, check_name=name, passed=not problems,
            metadata=problems_metadata(problems),
        )
