"""Marts: the public tables users query (`marts.*`), typed by their specs and checked by a
blocking pandera check each. A failed check stops the exports, the report and the publish.
"""

import dagster as dg

from pipeline.defs.metadata import (
    problems_metadata,
    relation_metadata,
    spec_metadata,
)
from pipeline.defs.resources import WarehouseResource
from pipeline.defs.versions import code_version, sql_file
from pipeline.schemas.marts import INDICATORS, MARTS
from pipeline.schemas.spec import TableSpec, qualified
from pipeline.transforms.duck import (
    build_typed_table_from_sql,
    build_view_from_sql,
    run,
)
from pipeline.transforms.sql_checks import validate_relation

GROUP = "marts"
CHECK_SCHEMA = "mart_follows_schema"
VERIFICATION_VIEW = "mart_paper_verification"

# Each mart and the staging tables it reads.
MART_INPUTS: dict[str, tuple[str, ...]] = {
    "indicators": ("stg_paper__verification", "stg_wjp__ranks", "stg_sources__indicators"),
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
            code_version=code_version(sql_file("marts", spec.name), spec),
        )
        for spec in MARTS
    ]
    + [
        dg.AssetSpec(
            VERIFICATION_VIEW,
            deps=[mart_asset_key(INDICATORS)],
            group_name=GROUP,
            description="View `marts.paper_verification`: how many of the paper's cells the WJP "
            "snapshot confirms, per table, scope and status (pipeline/sql/marts/"
            "paper_verification.sql).",
            kinds={"duckdb", "sql"},
            code_version=code_version(sql_file("marts", "paper_verification")),
        )
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
            # The spec's rules run as SQL inside DuckDB: marts can be too large for pandas.
            problems = validate_relation(con, spec, rows_to_check(spec), f"marts.{spec.name}")
            key = mart_asset_key(spec)
            yield dg.MaterializeResult(
                asset_key=key, metadata=relation_metadata(con, "marts", spec.name, spec)
            )
            yield dg.AssetCheckResult(
                asset_key=key,
                check_name=CHECK_SCHEMA,
                passed=not problems,
                metadata=problems_metadata(problems),
            )
        build_view_from_sql(con, "marts", "paper_verification")
        summary = run(con, "SELECT * FROM marts.paper_verification")
        yield dg.MaterializeResult(
            asset_key=VERIFICATION_VIEW,
            metadata={
                **relation_metadata(con, "marts", "paper_verification"),
                "summary": dg.MetadataValue.md(verification_markdown(summary)),
            },
        )


def rows_to_check(spec: TableSpec) -> str:
    """The mart's rows its check must cover. Rows of long-format sources are left out of
    marts.indicators' check: each source passed its own blocking check, whose rules imply the
    mart's for those rows (same code, year, rank rules; key unique within a source, and
    source_id differs between sources), and re-checking tens of millions of rows would double
    the cost of a refresh."""
    relation = qualified("marts", spec.name)
    if spec is not INDICATORS:
        return relation
    return (f"(SELECT * FROM {relation} WHERE source_id NOT IN "  # noqa: S608
            "(SELECT source_id FROM raw.indicator_source_files)) AS checked_rows")  # fmt: skip


def verification_markdown(rows: list[tuple]) -> str:
    lines = ["| table | scope | verification | cells |", "|---|---|---|---|"]
    lines += [f"| {t} | {s} | {v} | {n} |" for t, s, v, n in rows]
    return "\n".join(lines)
