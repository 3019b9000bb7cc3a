"""What the report reads from the build: each mart it shows, and of `marts.indicators` only the
rows it shows (a long-format source may hold millions more).

Belongs here: reading the report's inputs, and its vocabularies from the build (the claims'
verdicts from the mart's spec; factor, regime and event category names from their raw tables).
Stays out: the report itself (pipeline/transforms/report/).
"""

from __future__ import annotations

from pipeline.schemas.provenance import SOURCE_FILES
from pipeline.schemas.spec import qualified
from pipeline.schemas.wjp import WJP_REGION_AVERAGES, WJP_SNAPSHOT
from pipeline.transforms.duck import frame_of, read_spec_frame
from pipeline.transforms.report.inputs import (
    VDEM_YEARS,
    ReportInputs,
    Vocabulary,
    crosswalk_factors,
)


def load_report_inputs(con, marts: dict, accepted: tuple[str, ...] = ()) -> ReportInputs:
    """The report's inputs from the marts (`marts`: name -> Model) and the raw tables it cites;
    `accepted`: the shrinks this release accepted, in words."""

    def mart(name):
        return read_spec_frame(con, "marts", marts[name].spec)

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
    vocabulary = Vocabulary(
        verdicts=marts["paper_claims"].spec.allowed_values("verdict"),
        factors=crosswalk_factors(frame_of(con, qualified("raw", "factor_crosswalk"))),
        regimes={
            int(code): name
            for code, name in con.execute(
                f"SELECT v2x_regime, regime_type FROM {qualified('raw', 'vdem_regime_types')} "  # noqa: S608
                "ORDER BY v2x_regime"
            ).fetchall()
        },
        categories=dict(
            con.execute(
                f"SELECT category, name FROM {qualified('raw', 'event_categories')}"  # noqa: S608
            ).fetchall()
        ),
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
        vocabulary=vocabulary,
    )
