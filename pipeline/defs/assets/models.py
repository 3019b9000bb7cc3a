"""The model assets: the staging tables and the marts, one SQL file each
(pipeline/sql/<layer>/<name>.sql), each its own asset with its lineage read from its SQL and a
code reference to its SQL and spec. Every model has a blocking check that runs its spec's pandera
schema inside DuckDB (a staging model validated in a mart says so: `validated_in`); a mart has
its own checks too (sql/marts/<mart>.<check_name>.check.sql).

Belongs here: their specs. Stays out: finding and building them
(pipeline/transforms/models/discover.py, run.py).
"""

import dagster as dg

from pipeline import lineage
from pipeline.defs.metadata import code_references, spec_metadata
from pipeline.transforms.models.discover import Model, model_key
from pipeline.transforms.models.mart_checks import mart_checks
from pipeline.transforms.models.run import CHECK_SCHEMA


def _spec(graph: lineage.Graph, model: Model) -> dg.AssetSpec:
    kind = "View" if model.materialized == "view" else "Table"
    files = [model.path]
    if not model.computed and model.path.with_suffix(".yml").is_file():
        files.append(model.path.with_suffix(".yml"))
    built_by = ", ".join(f"`{f.name}`" for f in files)
    return dg.AssetSpec(
        model_key(model),
        deps=graph.deps[model_key(model)],
        description=f"{model.description}\n\n{kind} `{model.relation}`, built by {built_by}.",
        metadata={**spec_metadata(model.spec), **code_references(*files)},
        kinds={"duckdb", "python" if model.computed else "sql"},
    )


def _schema_check_description(model: Model) -> str:
    said = f"Types, keys and value rules of the {model.layer} model's spec."
    if model.validated_in:
        said += (
            f" Its rows are validated once, by {model.validated_in}'s {CHECK_SCHEMA}, when a "
            "build builds both (its columns and rules are the mart's); a build without the mart "
            "validates them here."
        )
    return said


def model_specs(graph: lineage.Graph) -> tuple[list, list]:
    """(asset specs, check specs) of the staging models and the marts."""
    checks = []
    for model in graph.models:
        key = model_key(model)
        checks.append(
            dg.AssetCheckSpec(
                CHECK_SCHEMA,
                asset=key,
                blocking=True,
                description=_schema_check_description(model),
            )
        )
        for check in mart_checks(model.path):
            checks.append(
                dg.AssetCheckSpec(
                    check.name,
                    asset=key,
                    blocking=True,
                    description=check.description,
                    metadata=code_references(check.path),
                )
            )
    return [_spec(graph, m) for m in graph.models], checks
