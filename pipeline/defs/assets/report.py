"""Report: `reports/summary.md`, `reports/summary.html` and `reports/charts/*.svg`, built from
the marts. The Markdown is also attached to the materialization so the Dagster UI shows it.
"""

import dagster as dg

from pipeline import lineage, release
from pipeline.defs.assets.publish import allowed_shrinks
from pipeline.defs.resources import ProjectResource
from pipeline.schemas.provenance import SOURCE_FILES
from pipeline.schemas.spec import qualified
from pipeline.schemas.wjp import WJP_REGION_AVERAGES, WJP_SNAPSHOT
from pipeline.transforms.duck import frame_of, read_spec_frame
from pipeline.transforms.release_state import release_guard
from pipeline.transforms.report import VDEM_YEARS, ReportInputs, build_report


def load_report_inputs(con, marts: dict, accepted: tuple[str, ...] = ()) -> ReportInputs:
    def mart(name):
        return read_spec_frame(con, "marts", marts[name].spec)

    # Only the rows the report shows: a long-format source may hold millions more.
    indicators = read_spec_frame(
        con,
        "marts",
        marts["indicators"].spec,
        "source_id LIKE 'paper_%' OR (source_id = ? AND factor_code = ? AND scope <> ?)",
        ["wjp_roli", "overall", "income_group"],
    )
    first, last = VDEM_YEARS
    vdem = read_spec_frame(
        con,
        "marts",
        marts["indicators"].spec,
        "source_id = 'vdem_ert' AND factor_code IN ('v2x_polyarchy', 'v2x_regime') "
        "AND edition_year BETWEEN ? AND ? AND country_iso3 IN "
        "(SELECT country_iso3 FROM marts.countries WHERE is_central_asia)",
        [first, last],
    )
    return ReportInputs(
        paper_claims=mart("paper_claims"),
        errata=mart("errata"),
        vdem=vdem,
        funding_totals=mart("funding_totals"),
        coverage=mart("coverage"),
        rank_comparison=mart("wjp_rank_comparison"),
        indicators=indicators,
        funding=mart("funding"),
        timeline=mart("timeline"),
        references=mart("references"),
        source_files=read_spec_frame(con, "raw", SOURCE_FILES),
        countries=mart("countries"),
        paper_verification=frame_of(con, qualified("marts", "paper_verification")),
        wjp_snapshot=read_spec_frame(con, "raw", WJP_SNAPSHOT),
        wjp_region_averages=read_spec_frame(con, "raw", WJP_REGION_AVERAGES),
        release_changes=read_spec_frame(con, "marts", marts["release_changes"].spec),
        accepted_shrinks=accepted,
    )


def report_asset(graph: lineage.Graph, version: str) -> dg.AssetsDefinition:
    marts = {m.name: m for m in graph.marts}

    @dg.asset(
        name=lineage.REPORT,
        group_name="reports",
        deps=graph.deps[lineage.REPORT],
        description="Summary report (Markdown + self-contained HTML with inline SVG charts).",
        kinds={"html", "markdown"},
        code_version=version,
    )
    def report_summary(context: dg.AssetExecutionContext, project: ProjectResource):
        build = project.build(context.run_id)
        previous = release.current_manifest(project.layout)
        allowed = allowed_shrinks(context.run.tags)
        with project.connect(context.run_id) as con:
            _, accepted = release_guard(con, graph.marts, previous, allowed)
            report = build_report(load_report_inputs(con, marts, tuple(accepted)))
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

    return report_summary
