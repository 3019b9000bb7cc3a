"""Exports: each mart written to `exports/<mart>.parquet` in the run's build, with its schema,
column descriptions and provenance (the raw files and checksums it derives from) in the file.
A blocking check reads each file back and compares it with the mart.
"""

import dagster as dg

from pipeline.defs.assets.marts import MART_INPUTS, mart_asset_key
from pipeline.defs.assets.staging import STAGING_TABLES
from pipeline.defs.metadata import spec_metadata
from pipeline.defs.resources import WarehouseResource
from pipeline.defs.versions import code_version, module_file
from pipeline.schemas.marts import MARTS
from pipeline.schemas.spec import TableSpec
from pipeline.transforms.datapackage import package_descriptor, resource_descriptor
from pipeline.transforms.duck import ordered_select, run
from pipeline.transforms.export import copy_parquet, read_back_problems, write_json
from pipeline.transforms.wjp_snapshot import canonical_source

GROUP = "exports"
CHECK_READ_BACK = "parquet_matches_mart"
DATAPACKAGE = "datapackage.json"


def export_asset_key(spec: TableSpec) -> dg.AssetKey:
    return dg.AssetKey(f"export_{spec.name}")


def raw_lineage(mart_name: str) -> list[str]:
    """The raw assets a mart is derived from, through its staging tables."""
    raw = {r for stg in MART_INPUTS[mart_name] for r in STAGING_TABLES[stg]}
    return sorted(name.split("__", 1)[1] for name in raw)


def provenance(con, mart_name: str) -> dict:
    """The raw files (with checksums and citations) and downloads a mart derives from."""
    tables = raw_lineage(mart_name)
    rows = run(
        con,
        "SELECT raw_table, path, sha256, citation, url FROM raw.source_files "
        "WHERE list_contains(?, raw_table) ORDER BY raw_table",
        [tables],
    )
    keys = ("raw_table", "path", "sha256", "citation", "url")
    result = {"raw_files": [dict(zip(keys, row, strict=True)) for row in rows]}
    if mart_name == "indicators":
        (status,) = run(con, "SELECT status FROM raw.wjp_snapshot")[0]
        result["downloads"] = [canonical_source() | {"status_in_this_refresh": status}]
    return result


@dg.multi_asset(
    name="parquet_exports",
    specs=[
        dg.AssetSpec(
            export_asset_key(spec),
            deps=[mart_asset_key(spec)] + (["raw_wjp__roli"] if spec.name == "indicators" else []),
            group_name=GROUP,
            description=f"`exports/{spec.name}.parquet`: marts.{spec.name} as Parquet.",
            metadata=spec_metadata(spec),
            kinds={"parquet"},
            code_version=code_version(
                spec, module_file("transforms/export.py"), module_file("transforms/datapackage.py")
            ),
        )
        for spec in MARTS
    ],
    check_specs=[
        dg.AssetCheckSpec(
            CHECK_READ_BACK,
            asset=export_asset_key(spec),
            blocking=True,
            description="The file reads back with the spec's schema and rows.",
        )
        for spec in MARTS
    ],  # fmt: skip
    op_tags={"stage": "exports"},
)
def parquet_exports(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    build = warehouse.build(context.run_id)
    resources = []
    with warehouse.connect(context.run_id) as con:
        for spec in MARTS:
            path = build.exports_dir / f"{spec.name}.parquet"
            origin = provenance(con, spec.name)  # before the stream holds the connection
            rows = copy_parquet(con, ordered_select("marts", spec), spec, path, origin)
            problems = read_back_problems(path, spec, rows)
            resources.append(resource_descriptor(spec, origin))
            key = export_asset_key(spec)
            yield dg.MaterializeResult(
                asset_key=key,
                metadata={
                    "dagster/row_count": dg.MetadataValue.int(rows),
                    "path": dg.MetadataValue.path(f"warehouse/exports/{spec.name}.parquet"),
                    "bytes": dg.MetadataValue.int(path.stat().st_size),
                },
            )
            yield dg.AssetCheckResult(
                asset_key=key,
                check_name=CHECK_READ_BACK,
                passed=not problems,
                metadata={"problems": dg.MetadataValue.text("\n".join(problems) or "none")},
            )
    write_json(build.exports_dir / DATAPACKAGE, package_descriptor(resources))
