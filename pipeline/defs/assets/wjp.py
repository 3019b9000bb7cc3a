"""WJP source: the pinned Rule of Law Index snapshot, downloaded (or taken from the cache),
verified by checksum, parsed and loaded into `raw.wjp_*`.

If the snapshot cannot be had (offline, server down, wrong checksum, truncated or malformed),
the refresh goes on: the tables are left empty, `raw.wjp_snapshot` says why, the paper's cells
are marked `not_checked`, and a (non-blocking) warning check shows the reason in the UI.
"""

from pathlib import Path

import dagster as dg
import pandas as pd

from pipeline.defs.resources import WarehouseResource, WjpSnapshotResource
from pipeline.defs.versions import code_version, module_file
from pipeline.schemas.spec import qualified
from pipeline.schemas.wjp import WJP_SNAPSHOT, WJP_TABLES
from pipeline.transforms.duck import load_frame
from pipeline.transforms.wjp import WjpTables, parse_snapshot
from pipeline.transforms.wjp_snapshot import SnapshotUnavailable, fetch_snapshot

GROUP = "raw"
ASSET = "raw_wjp__roli"
CHECK_AVAILABLE = "snapshot_available"


@dg.asset(
    name=ASSET,
    group_name=GROUP,
    # Runs after the paper's raw files: that step starts the run's build.
    deps=["raw_reference__countries"],
    description="WJP Rule of Law Index scores for every country and edition (2015-2025), "
    "from the pinned snapshot in raw/wjp/roli.source.yml. Region and income group are the "
    "2025 groupings.",
    kinds={"json", "duckdb"},
    code_version=code_version(
        module_file("transforms/wjp.py"), module_file("transforms/wjp_snapshot.py"), *WJP_TABLES
    ),
    check_specs=[
        dg.AssetCheckSpec(
            CHECK_AVAILABLE,
            asset=ASSET,
            blocking=False,
            description="The pinned snapshot was obtained and verified.",
        )
    ],  # fmt: skip
    op_tags={"stage": "raw"},
)
def raw_wjp__roli(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    wjp_snapshot: WjpSnapshotResource,
):
    pin = wjp_snapshot.pin()
    tables, status = obtain(wjp_snapshot)
    with warehouse.connect(context.run_id) as con:
        for spec, frame in zip(WJP_TABLES, _frames(tables), strict=True):
            load_frame(con, "raw", spec, frame)
        load_frame(con, "raw", WJP_SNAPSHOT, pd.DataFrame([status]))
    if status["status"] == "unavailable":
        context.log.warning(f"WJP snapshot unavailable: {status['reason']}")
    yield dg.MaterializeResult(
        metadata={
            "dagster/row_count": dg.MetadataValue.int(len(tables.scores) if tables else 0),
            "dagster/relation_identifier": qualified("raw", "wjp_scores"),
            "status": status["status"],
            "url": dg.MetadataValue.url(pin.url),
            "sha256": pin.sha256,
        }
    )
    yield dg.AssetCheckResult(
        check_name=CHECK_AVAILABLE,
        passed=status["status"] == "available",
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"messages": dg.MetadataValue.text(status["reason"] or "available")},
    )


def obtain(resource: WjpSnapshotResource) -> tuple[WjpTables | None, dict]:
    """The parsed snapshot and a status row; (None, unavailable + reason) on any failure."""
    pin = resource.pin()
    status = {"status": "unavailable", "reason": None, "url": pin.url, "sha256": pin.sha256,
              "obtained_from": None}  # fmt: skip
    try:
        snapshot = fetch_snapshot(
            pin, Path(resource.cache_dir), resource.timeout_seconds,
            accept=lambda data: parse_snapshot(data, pin.url),
        )  # fmt: skip
        tables = snapshot.accepted
    except SnapshotUnavailable as err:
        return None, status | {"reason": str(err)}
    return tables, status | {"status": "available", "obtained_from": snapshot.origin}


def _frames(tables: WjpTables | None) -> list[pd.DataFrame]:
    if tables is None:
        return [pd.DataFrame(columns=spec.column_names) for spec in WJP_TABLES]
    return [tables.scores, tables.countries, tables.region_averages]
