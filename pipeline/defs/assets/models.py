"""Models: the staging tables and the marts, one SQL file each (pipeline/sql/<layer>/), built in
one step in the order their SQL implies, each its own asset with its lineage from that SQL.
Every mart has a spec beside its SQL and a blocking check that runs the spec's rules as SQL
inside DuckDB (plus the mart's extra checks); a failure stops the exports, the report and the
publish.
"""

import dagster as dg

from pipeline import lineage, release
from pipeline.defs.metadata import known_descriptions, spec_metadata
from pipeline.defs.resources import ProjectResource
from pipeline.defs.results import outcome_events
from pipeline.schemas.raw import RAW_TABLES
from pipeline.transforms import models as model_sql
from pipeline.transforms.mart_checks import MART_CHECKS


def _spec(graph: lineage.Graph, model: model_sql.Model, version: str) -> dg.AssetSpec:
    where = f"`pipeline/sql/{model.layer}/{model.name}.sql`"
    kind = "View" if model.materialized == "view" else "Table"
    return dg.AssetSpec(
        model_sql.model_key(model),
        deps=graph.deps[model_sql.model_key(model)],
        group_name=model.layer,
        description=f"{model.description}\n\n{kind} `{model.relation}`, built by "
        + ("pipeline/transforms/changes.py." if model.computed else f"{where}."),
        metadata=spec_metadata(model.spec) if model.spec else {},
        code_version=version,
        kinds={"duckdb", "sql"},
    )


def _checks(graph: lineage.Graph) -> list[dg.AssetCheckSpec]:
    checks = []
    for mart in graph.marts:
        key = model_sql.model_key(mart)
        checks.append(
            dg.AssetCheckSpec(
                model_sql.CHECK_SCHEMA,
                asset=key,
                blocking=True,
                description="Types, keys and value rules of the mart's spec.",
            )
        )
        for name, check in MART_CHECKS.get(mart.name, {}).items():
            checks.append(
                dg.AssetCheckSpec(name, asset=key, blocking=True, description=check.description)
            )
    return checks


def models_asset(graph: lineage.Graph, version: str) -> dg.AssetsDefinition:
    specs = {m.relation: m.spec for m in graph.models if m.spec}
    descriptions = known_descriptions([*specs.values(), *(t.spec for t in RAW_TABLES)])

    @dg.multi_asset(
        name="models",
        specs=[_spec(graph, m, version) for m in graph.models],
        check_specs=_checks(graph),
    )
    def models(context: dg.AssetExecutionContext, project: ProjectResource):
        """Build every model in dependency order; validate each mart."""
        layout = project.layout
        previous = layout.current_release()
        previous_id = release.read_manifest(previous).get("release_id") if previous else None
        with project.connect(context.run_id) as con:
            outcomes = model_sql.run_models(con, graph.models, previous, previous_id)
            for outcome in outcomes:
                yield from outcome_events(con, outcome, specs, descriptions)

    return models
