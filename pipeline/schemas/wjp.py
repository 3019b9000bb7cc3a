"""Specs of the tables parsed from the WJP Rule of Law Index snapshot (raw/wjp/roli.source.yml).

Belongs here: the shape the parsed snapshot must have. Stays out: downloading and parsing.
"""

from __future__ import annotations

from pipeline.schemas import checks as c
from pipeline.schemas.spec import FLOAT, INT, STRING, Field, TableSpec

MEASURE_CODE = r"overall|F[1-8]|SF[1-8]\.[1-9]"
SCORE_RANGE = (c.between(0, 1, "a score between 0 and 1"),)

WJP_SCORES = TableSpec(
    name="wjp_scores",
    description="WJP Rule of Law Index scores: one row per country x edition x measure.",
    fields=(
        Field(
            "country_iso3",
            STRING,
            "Country code as WJP gives it (alpha-3; Kosovo XKX).",
            checks=(c.pattern(r"[A-Z]{3}", "three capital letters"),),
        ),
        Field(
            "edition_year",
            INT,
            "Edition year (the 2017-18 edition is 2018).",
            checks=(c.year_between(2008, 2100),),
        ),
        Field("edition_label", STRING, "Edition as WJP labels it, e.g. '2017-18'."),
        Field(
            "measure_code",
            STRING,
            "overall, F1..F8, or a sub-factor SF<f>.<n>.",
            checks=(c.pattern(MEASURE_CODE, "a WJP measure code"),),
        ),
        Field(
            "score", FLOAT, "Published score, 0 to 1, rounded to 4 decimals.", checks=SCORE_RANGE
        ),
    ),  # fmt: skip
    primary_key=("country_iso3", "edition_year", "measure_code"),
)

WJP_COUNTRIES = TableSpec(
    name="wjp_countries",
    description="Countries in the snapshot with their region and income group. These are the "
    "2025 groupings, not historical ones.",
    fields=(
        Field(
            "country_iso3",
            STRING,
            "Country code as WJP gives it.",
            checks=(c.pattern(r"[A-Z]{3}", "three capital letters"),),
        ),
        Field("country_name", STRING, "Country name as WJP gives it."),
        Field("region", STRING, "WJP region (2025 grouping)."),
        Field("income_group", STRING, "WJP income group (2025 grouping)."),
    ),  # fmt: skip
    primary_key=("country_iso3",),
)

WJP_REGION_AVERAGES = TableSpec(
    name="wjp_region_averages",
    description="WJP's published average scores per edition, globally and per region.",
    fields=(
        Field("edition_year", INT, "Edition year.", checks=(c.year_between(2008, 2100),)),
        Field("edition_label", STRING, "Edition as WJP labels it."),
        Field("region", STRING, "WJP region, or 'Global' for the global average."),
        Field(
            "measure_code",
            STRING,
            "overall or F1..F8.",
            checks=(c.pattern(MEASURE_CODE, "a WJP measure code"),),
        ),
        Field("average_score", FLOAT, "Average score as WJP publishes it.", checks=SCORE_RANGE),
    ),  # fmt: skip
    primary_key=("edition_year", "region", "measure_code"),
)

WJP_SNAPSHOT = TableSpec(
    name="wjp_snapshot",
    description="Whether this refresh had the pinned WJP snapshot, and if not, why.",
    fields=(
        Field(
            "status",
            STRING,
            "available or unavailable.",
            checks=(c.one_of(("available", "unavailable")),),
        ),
        Field("reason", STRING, "Why it is unavailable; empty when available.", True),
        Field("url", STRING, "URL the snapshot was (or would have been) fetched from."),
        Field("sha256", STRING, "Pinned checksum."),
        Field("obtained_from", STRING, "cache or download; empty when unavailable.", True),
    ),  # fmt: skip
    primary_key=("sha256",),
)

WJP_TABLES = (WJP_SCORES, WJP_COUNTRIES, WJP_REGION_AVERAGES)
