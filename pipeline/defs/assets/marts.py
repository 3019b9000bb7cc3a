"""Marts: the public tables users query (`marts.*`), typed by their specs and checked by a
blocking pandera check each. A failed check stops the exports, the report and the publish.
"""

import dagster as dg

from pipeline.defs.metadata import problems_metadata, spec_metadata, table_metadata
from pipeline.defs.resources import WarehouseResource
from pipeline.schemas.marts import MARTS
from pipeline.schemas.spec import TableSpec, qualified
from pipeline.transforms.duck import build_typed_table_from_sql, read_frame
from pipeline.transforms.problems import validate_frame

GROUP = "marts"
CHECK_SCHEMA = "mart_follows_schema"

# Each mart and the staging tables it reads.
MART_INPUTS: dict[str, tuple[str, ...]] = {
    "indicators": ("stg_paper__indicators",),
    "funding": ("stg_funding__claims",),
    "timeline": ("stg_paper__timeline",),
    "references": ("stg_paper__references",),
    "countries": ("stg_reference__countries",),
}


def mart_asset_key(spec: TableSpec) -> dg.AssetKey:
    return dg.AssetKey(f"mart_{spec.name}")


@dg.multi_asset(
    name="marts",
    specs=[
        dg.AssetSpec(
            mart_asset_key(spec),
            deps=list(MART_INPUTS[spec.name]),
            group_name=GROUP,
            description=f"{spec.description}\n\nTable `marts.{spec.name}`, built by "
            f"`pipeline/sql/marts/{spec.name}.sql`.",
            metadata=spec_metadata(spec),
            kinds={"duckdb", "sql"},
        )
        for spec in MARTS
    ],
    check_specs=[
        dg.AssetCheckSpec(
            CHECK_SCHEMA,
            asset=mart_asset_key(spec),
            blocking=True,
            description="Types, keys and value rules of the mart (pandera).",
        )
        for spec in MARTS
    ],  # fmt: skip
    op_tags={"stage": "marts"},
)
def marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.connect(context.run_id) as con:
        for spec in MARTS:
            build_typed_table_from_sql(con, "marts", spec)
            frame = read_frame(con, "marts", spec)
            problems = validate_frame(frame, spec, f"marts.{spec.name}")
            key = mart_asset_key(spec)
            relation = qualified("marts", spec.name)
            yield dg.MaterializeResult(
                asset_key=key, metadata=table_metadata(spec, frame, relation)
            )
            yield dg.AssetCheckResult(
                asset_key=key,
                check_name=CHECK_SCHEMA,
                passed=not problems,
                metadata=problems_metadata(problems),
            )
