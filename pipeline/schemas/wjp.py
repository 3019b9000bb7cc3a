"""Specs of the tables parsed from the WJP Rule of Law Index snapshot (raw/wjp/roli.meta.yml),
and of the status row every pinned download writes.

Belongs here: the shape the parsed snapshot must have. Stays out: downloading and parsing.
"""

from __future__ import annotations

from pipeline.schemas import row_rules as rr
from pipeline.schemas import rules as r
from pipeline.schemas.fields import FACTOR_CODES, WJP_MEASURE_CODE, shared
from pipeline.schemas.provenance import OBTAINED_FROM
from pipeline.schemas.spec import FLOAT, STRING, Field, TableSpec

SCORE = Field(
    "score",
    FLOAT,
    "Published score, 0 to 1, rounded to 4 decimals.",
    rules=(r.between(0, 1, "a score between 0 and 1"),),
)
MEASURE = Field(
    "measure_code",
    STRING,
    "overall, F1..F8, or a sub-factor SF<f>.<n>.",
    rules=(r.pattern(WJP_MEASURE_CODE, "a WJP measure code"),),
)
EDITION = shared("edition_year", rules=(r.year_between(2008, 2100), r.not_in_future("year")))

WJP_SCORES = TableSpec(
    name="wjp_scores",
    description="WJP Rule of Law Index scores: one row per country x edition x measure.",
    fields=(
        shared("country_iso3", description="Country code as WJP gives it (alpha-3; Kosovo XKX)."),
        EDITION,
        shared("edition_label"),
        MEASURE,
        SCORE,
    ),
    primary_key=("country_iso3", "edition_year", "measure_code"),
)

WJP_COUNTRIES = TableSpec(
    name="wjp_countries",
    description="Countries in the snapshot with their region and income group. These are the "
    "2025 groupings, not historical ones.",
    fields=(
        shared("country_iso3", description="Country code as WJP gives it."),
        Field("country_name", STRING, "Country name as WJP gives it."),
        Field("region", STRING, "WJP region (2025 grouping)."),
        Field("income_group", STRING, "WJP income group (2025 grouping)."),
    ),
    primary_key=("country_iso3",),
)

WJP_REGION_AVERAGES = TableSpec(
    name="wjp_region_averages",
    description="WJP's published average scores per edition, globally and per region.",
    fields=(
        EDITION,
        shared("edition_label"),
        Field("region", STRING, "WJP region, or 'Global' for the global average."),
        MEASURE.but(description="overall or F1..F8."),
        SCORE.but(name="average_score", description="Average score as WJP publishes it."),
    ),
    primary_key=("edition_year", "region", "measure_code"),
)

WJP_PUBLISHED_RANKS = TableSpec(
    name="wjp_published_ranks",
    description="The ranks WJP publishes for the current edition (2025): overall and F1..F8, "
    "globally, within the region and within the income group, with the number ranked. Kept "
    "beside the ranks computed from the scores (marts.wjp_rank_comparison).",
    fields=(
        shared("country_iso3", description="Country code as WJP gives it."),
        EDITION,
        MEASURE.but(
            description="overall or F1..F8.",
            rules=(r.one_of(FACTOR_CODES),),
        ),
        shared("scope"),
        shared("rank", description="WJP's published rank (1 = best).", nullable=False),
        shared(
            "n_ranked", description="WJP's published number of countries ranked.", nullable=False
        ),
    ),
    primary_key=("country_iso3", "edition_year", "measure_code", "scope"),
    row_rules=(rr.ordered("rank", "n_ranked"),),
)

WJP_TABLES = (WJP_SCORES, WJP_COUNTRIES, WJP_REGION_AVERAGES, WJP_PUBLISHED_RANKS)


def snapshot_status(name: str) -> TableSpec:
    """The status row of one pinned download in this refresh (e.g. raw.wjp_snapshot)."""
    return TableSpec(
        name=name,
        description="Whether this refresh had the pinned file, where from, and if not, why.",
        fields=(
            Field(
                "status",
                STRING,
                "available or unavailable.",
                rules=(r.one_of(("available", "unavailable")),),
            ),
            Field("reason", STRING, "Why it is unavailable; where it came from otherwise.", True),
            Field("url", STRING, "URL the file was (or would have been) fetched from."),
            Field("sha256", STRING, "Pinned checksum."),
            Field(
                "obtained_from",
                STRING,
                "cache or download; empty when unavailable.",
                True,
                (r.one_of(OBTAINED_FROM),),
            ),
        ),
        primary_key=("sha256",),
    )


WJP_SNAPSHOT = snapshot_status("wjp_snapshot")
