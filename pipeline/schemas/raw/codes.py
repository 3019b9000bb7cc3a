"""The code lists the other tables refer to, all in raw/reference/: the countries the data names
(with the names and codes the paper prints), every ISO 3166-1 country, the paper's factor labels
mapped to WJP's factors, the categories of the paper's events, and V-Dem's names of its regime
codes.

Belongs here: those specs. Stays out: the fields shared across tables (schemas/fields.py) and
V-Dem's own spec of the regime names (schemas/vdem.py).
"""

from __future__ import annotations

from pipeline.schemas import rules as r
from pipeline.schemas.fields import CODE_STATUSES, FACTOR_CODES, SLUG, code, shared, text
from pipeline.schemas.raw.table import RawTable, integer
from pipeline.schemas.spec import BOOL, STRING, Field, TableSpec
from pipeline.schemas.vdem import REGIME_TYPES

COUNTRIES = RawTable(
    "reference",
    TableSpec(
        name="countries",
        description="Every country the data names: ISO 3166-1 codes, English name, and the "
        "names and codes the paper itself prints.",
        fields=(
            shared(
                "country_iso3",
                description="ISO 3166-1 alpha-3 of the country (Kosovo's XKX is user-assigned: "
                "code_status).",
            ),
            shared("country_iso2"),
            shared("country_name"),
            Field(
                "code_status",
                STRING,
                "iso_3166_1, or user_assigned (Kosovo: XK/XKX are user-assigned codes used by the "
                "EU and WJP, not ISO-assigned).",
                rules=(r.one_of(CODE_STATUSES[:2]),),  # of ISO's own statuses, not a source's
            ),
            Field("is_central_asia", BOOL, "One of the five Central Asian states."),
            text("paper_names", "Names the paper prints for it (';'-separated)."),
            text(
                "paper_codes",
                "Codes the paper prints for it (';'-separated), e.g. Figure 1's TD for Tajikistan.",
                True,
            ),
        ),
        primary_key=("country_iso3",),
    ),
)

FACTOR_CROSSWALK = RawTable(
    "reference",
    TableSpec(
        name="factor_crosswalk",
        description="The paper's factor labels (translations) mapped to the WJP factors.",
        fields=(
            text("paper_label", "Row label as the paper prints it."),
            Field("factor_code", STRING, "WJP measure code.", rules=(r.one_of(FACTOR_CODES),)),
            integer(
                "factor_number",
                "0 for the overall score, 1-8 for factors.",
                False,
                r.between(0, 8),
            ),
            text("wjp_factor_name", "WJP's name of the measure."),
        ),
        primary_key=("paper_label",),
    ),
)

EVENT_CATEGORIES = RawTable(
    "reference",
    TableSpec(
        name="event_categories",
        description="The categories of the paper's dated events, each with its name and meaning: "
        "the one place they are defined (timeline_events.csv uses only these).",
        fields=(
            code("category", SLUG, "a lowercase slug", "The category's code, as events use it."),
            text("name", "The category's name, as the report writes it.", max_chars=40),
            text("description", "What kind of act or happening the category holds."),
        ),
        primary_key=("category",),
    ),
)

ISO3166 = RawTable(
    "reference",
    TableSpec(
        name="iso3166_countries",
        description="Every ISO 3166-1 country (from Debian's iso-codes): the codes long-format "
        "indicator sources may use.",
        fields=(
            shared("country_iso3"),
            shared("country_iso2"),
            shared("country_name", description="English short name as iso-codes gives it."),
        ),
        primary_key=("country_iso3",),
    ),
)

# V-Dem's names of its regime codes (schemas/vdem.py declares the spec).
REGIME_TYPES_TABLE = RawTable("reference", REGIME_TYPES)
