"""Staging layer: the raw tables renamed, typed, unpivoted and joined to reference data, one
SQL file per table (pipeline/sql/staging/<name>.sql). One step builds them all; each table is
its own asset with its own lineage to the raw files it reads.
"""

import dagster as dg

from pipeline.defs.metadata import relation_metadata
from pipeline.defs.resources import WarehouseResource
from pipeline.defs.versions import code_version, sql_file
from pipeline.transforms.duck import build_table_from_sql, build_view_from_sql

GROUP = "staging"

# Each staging table and the raw files it reads (its lineage in the UI).
STAGING_TABLES: dict[str, tuple[str, ...]] = {
    "stg_paper__indicators": (
        "raw_paper__table1_ranks", "raw_paper__table2_kazakhstan_ranks",
        "raw_reference__countries", "raw_reference__factor_crosswalk",
    ),
    "stg_funding__claims": (
        "raw_reference__funding_claims", "raw_reference__sources", "raw_paper__figure1_bars",
        "raw_reference__countries",
    ),
    "stg_paper__timeline": ("raw_paper__timeline_events", "raw_reference__errata"),
    "stg_reference__countries": (
        "raw_reference__countries", "raw_paper__table2_region_members",
    ),
    "stg_paper__references": ("raw_paper__references",),
    "stg_wjp__ranks": ("raw_wjp__roli", "raw_reference__factor_crosswalk"),
    "stg_sources__indicators": (
        "raw_indicators__values", "raw_reference__iso3166_countries", "raw_reference__countries",
    ),
    # Built after the two above, in this order.
    "stg_paper__verification": (
        "stg_paper__indicators", "stg_wjp__ranks", "raw_paper__table2_region_members",
        "raw_wjp__roli",
    ),
}  # fmt: skip
# Views, not tables: they pass large long-format sources through without a copy.
STAGING_VIEWS = {"stg_sources__indicators"}


@dg.multi_asset(
    name="staging_tables",
    specs=[
        dg.AssetSpec(
            name,
            deps=list(upstream),
            group_name=GROUP,
            description=f"Staging table built by `pipeline/sql/staging/{name}.sql`.",
            code_version=code_version(sql_file("staging", name)),
            kinds={"duckdb", "sql"},
        )
        for name, upstream in STAGING_TABLES.items()
    ],
    op_tags={"stage": "staging"},
)
def staging_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    with warehouse.connect(context.run_id) as con:
        for name in STAGING_TABLES:
            if name in STAGING_VIEWS:
                build_view_from_sql(con, "staging", name)
            else:
                build_table_from_sql(con, "staging", name)
            yield dg.MaterializeResult(
                asset_key=name, metadata=relation_metadata(con, "staging", name)
            )
