"""Report: `reports/summary.md`, `reports/summary.html` and `reports/charts/*.svg`, built from
the marts. The Markdown is also attached to the materialization so the Dagster UI shows it.
"""

import dagster as dg

from pipeline.defs.assets.exports import export_asset_key
from pipeline.defs.assets.marts import mart_asset_key
from pipeline.defs.resources import WarehouseResource
from pipeline.defs.versions import code_version, module_file
from pipeline.schemas.marts import MARTS, MARTS_BY_NAME
from pipeline.schemas.raw import SOURCE_FILES
from pipeline.schemas.wjp import WJP_REGION_AVERAGES, WJP_SNAPSHOT
from pipeline.transforms.duck import read_frame
from pipeline.transforms.report import ReportInputs, build_report

GROUP = "reports"


def load_report_inputs(con) -> ReportInputs:
    def mart(name):
        return read_frame(con, "marts", MARTS_BY_NAME[name])

    # Only the rows the report shows: a long-format source may hold millions more.
    indicators = read_frame(
        con, "marts", MARTS_BY_NAME["indicators"],
        "source_id LIKE 'paper_%' OR (source_id = ? AND factor_code = ? AND scope <> ?)",
        ["wjp_roli", "overall", "income_group"],
    )  # fmt: skip
    return ReportInputs(
        indicators=indicators,
        funding=mart("funding"),
        timeline=mart("timeline"),
        references=mart("references"),
        source_files=read_frame(con, "raw", SOURCE_FILES),
        indicator_source_files=con.sql("SELECT * FROM raw.indicator_source_files").df(),
        countries=mart("countries"),
        paper_verification=con.sql("SELECT * FROM marts.paper_verification").df(),
        wjp_snapshot=read_frame(con, "raw", WJP_SNAPSHOT),
        wjp_region_averages=read_frame(con, "raw", WJP_REGION_AVERAGES),
    )


@dg.asset(
    name="report_summary",
    group_name=GROUP,
    deps=[mart_asset_key(s) for s in MARTS]
    + [export_asset_key(s) for s in MARTS]
    + ["mart_paper_verification", "raw_wjp__roli", "raw_indicators__values"],
    description="Summary report (Markdown + self-contained HTML with inline SVG charts).",
    kinds={"html", "markdown"},
    code_version=code_version(
        module_file("transforms/report.py"), module_file("transforms/charts.py")
    ),
    op_tags={"stage": "reports"},
)
def report_summary(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    build = warehouse.build(context.run_id)
    with warehouse.connect(context.run_id) as con:
        report = build_report(load_report_inputs(con))
    charts_dir = build.reports_dir / "charts"
    charts_dir.mkdir(parents=True, exist_ok=True)
    for name, svg in report.charts.items():
        (charts_dir / f"{name}.svg").write_text(svg, encoding="utf-8")
    (build.reports_dir / "summary.md").write_text(report.markdown, encoding="utf-8")
    (build.reports_dir / "summary.html").write_text(report.html, encoding="utf-8")
    return dg.MaterializeResult(
        metadata={
            "report": dg.MetadataValue.md(report.markdown),
            "html_path": dg.MetadataValue.path("warehouse/reports/summary.html"),
            "html_bytes": dg.MetadataValue.int(len(report.html.encode())),
        }
    )
