"""Publish: the last asset of a refresh. It runs only when every upstream asset and blocking
check succeeded, and swaps the run's build into place atomically (see pipeline/release.py).
"""

import dagster as dg

from pipeline import release
from pipeline.defs.assets.exports import export_asset_key
from pipeline.defs.assets.marts import mart_asset_key
from pipeline.defs.resources import WarehouseResource
from pipeline.defs.versions import code_version, code_versions_of, module_file
from pipeline.schemas.marts import MARTS
from pipeline.transforms.duck import run
from pipeline.transforms.inputs import loaded_inputs

GROUP = "publish"


@dg.asset(
    name="warehouse_release",
    group_name=GROUP,
    deps=[mart_asset_key(s) for s in MARTS]
    + [export_asset_key(s) for s in MARTS]
    + ["report_summary"],
    description="Swaps this run's warehouse, exports and report into `warehouse/` atomically; "
    "keeps the last N releases (WarehouseResource.keep_releases).",
    kinds={"duckdb", "parquet"},
    code_version=code_version(module_file("release.py")),
    op_tags={"stage": "publish"},
)
def warehouse_release(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    layout = warehouse.layout
    build = warehouse.build(context.run_id)
    with warehouse.connect(context.run_id) as con:
        inputs = loaded_inputs(con)
        run(con, "CHECKPOINT")
    manifest = {
        "run_id": context.run_id,
        "inputs": inputs,
        "code_versions": code_versions_of(context.job_def.asset_layer.asset_graph),
    }
    published = release.publish(layout, build, manifest, warehouse.keep_releases)
    return dg.MaterializeResult(
        metadata={
            "release": dg.MetadataValue.path(str(published)),
            "warehouse": dg.MetadataValue.path(str(layout.published_db)),
            "releases_kept": dg.MetadataValue.int(len(layout.releases())),
        }
    )
