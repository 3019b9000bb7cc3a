"""Fields shared by several tables, defined once and reused by name (PUDL's field metadata).

`shared("country_iso3")` is the one definition of that column: type, meaning and rules; a table
may describe it in its own words with `shared(name, description=...)` but keeps its type and
rules. Mart specs (YAML beside their SQL) name these fields the same way.

Belongs here: the shared fields and the vocabularies they draw on. Stays out: table specs.
"""

from __future__ import annotations

from pipeline.schemas import rules as r
from pipeline.schemas.spec import BOOL, DATE, DECIMAL, FLOAT, INT, LIST, STRING, Field

ISO3 = r"[A-Z]{3}"
SLUG = r"[a-z][a-z0-9_]*"
SOURCE_ID = r"[a-z][a-z0-9_]{0,62}"
# An http:// or https:// URL with a host: javascript:, file:, data: and every other scheme are
# refused (a link in the report or the data package would run or open them).
HTTP_URL = r"https?://[^\s/?#]+\S*"
INDICATOR_CODE = r"[a-z][a-z0-9_.]{0,62}"
WJP_MEASURE_CODE = r"overall|F[1-8]|SF[1-8]\.[1-9]"
EVENT_ID = r"ev_[0-9]{4}_[a-z0-9_]+"
FACTOR_CODES = ("overall", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8")
SCOPES = ("global", "region", "income_group")
CONFIDENCE = ("paper", "official", "press")
DATE_PRECISIONS = ("day", "month", "year")
VERIFICATION = ("verified", "mismatch", "unverifiable", "not_checked")
# The marts an erratum can point at (raw/reference/errata.csv, marts.errata): each carries its
# errata in an `erratum` column, and an erratum names its row by the mart's primary key.
ERRATA_TARGETS = ("timeline", "funding", "references", "indicators", "paper_claims")
ERRATUM_KINDS = ("erratum", "acknowledged_disagreement", "citation")
ERRATUM_CONFIDENCES = ("confirmed", "probable", "suspected")
CHECK_STATUSES = ("verified", "discrepancy", "not_checked")  # a reference against its record
AMOUNT_SCOPES = ("stated_total", "subtotal", "not_stated")
# How a country code relates to ISO 3166-1 (countries.csv, a source's declared codes, marts).
CODE_STATUSES = (
    "iso_3166_1",  # an ISO 3166-1 alpha-3 code
    "user_assigned",  # a code in ISO's user-assigned range (Kosovo's XKX)
    "former_iso_3166_1",  # an ISO 3166-1 code since withdrawn (ISO 3166-3), e.g. DDR
    "source_specific",  # the source's own code for an entity without an ISO code
)
AMOUNT_QUALIFIERS = (
    "about",
    "reached",
    "over",
    "exact",
    "indicative",
    "not_eligible",
    "unknown",
    "not_transcribed",
)


def text(
    name: str, description: str, nullable: bool = False, max_chars: int = r.MAX_TEXT_CHARS
) -> Field:
    """Free text: bounded, no control characters, no formula, trimmed."""
    return Field(name, STRING, description, nullable, r.text(max_chars))


def code(name: str, regex: str, meaning: str, description: str, nullable: bool = False) -> Field:
    return Field(name, STRING, description, nullable, (r.pattern(regex, meaning),))


def url(name: str, description: str, nullable: bool = True) -> Field:
    """A URL: http:// or https:// only (HTTP_URL), bounded like free text."""
    rules = (
        r.pattern(HTTP_URL, "an http:// or https:// URL"),
        r.Rule("max_length", (r.MAX_TEXT_CHARS,)),
    )
    return Field(name, STRING, description, nullable, rules)


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        code("country_iso3", ISO3, "three capital letters", "ISO 3166-1 alpha-3 of the country."),
        code("country_iso2", r"[A-Z]{2}", "two capital letters", "ISO 3166-1 alpha-2."),
        text("country_name", "English short name of the country."),
        code("source_id", SOURCE_ID, "a lowercase id", "Id of the source the row comes from."),
        Field(
            "edition_year",
            INT,
            "Edition of the index (the 2017-18 WJP edition is 2018); the year observed for "
            "yearly sources.",
            rules=(r.year_between(1789, 2100), r.not_in_future("year")),
        ),
        Field("edition_label", STRING, "Edition as the source labels it, e.g. '2017-18'."),
        Field(
            "year",
            INT,
            "Year the value describes.",
            rules=(r.year_between(1789, 2100), r.not_in_future("year")),
        ),
        Field("rank", INT, "Rank (1 = best); empty where none.", True, (r.positive(),)),
        Field("n_ranked", INT, "Number of countries ranked.", True, (r.positive(),)),
        Field("score", FLOAT, "The measure's value.", True),
        Field("scope", STRING, "Ranking scope.", rules=(r.one_of(SCOPES),)),
        code(
            "source_reference_key",
            SLUG,
            "a reference key",
            "The reference the paper gives as the source (its source line).",
        ),
        code("event_id", EVENT_ID, "an event id ev_YYYY_slug", "Stable id of the event."),
        code("claim_id", SLUG, "a lowercase id", "Stable id of the claim."),
        code("reference_key", SLUG, "a lowercase key", "Stable key of the reference."),
        Field(
            "period_start_year",
            INT,
            "First year of the period.",
            rules=(r.year_between(1990, 2100),),
        ),
        Field(
            "period_end_year", INT, "Last year of the period.", rules=(r.year_between(1990, 2100),)
        ),
        Field("amount_eur", DECIMAL, "Amount in EUR; empty where unknown.", True, (r.at_least(0),)),
        text("amount_missing_reason", "Why amount_eur is empty.", True),
        Field("confidence", STRING, "paper, official or press.", rules=(r.one_of(CONFIDENCE),)),
        Field(
            "date_precision",
            STRING,
            "How precise the date is: day, month or year.",
            rules=(r.one_of(DATE_PRECISIONS),),
        ),
        # raw/reference/event_categories.csv is the one place categories are defined.
        Field("category", STRING, "Kind of event: one of raw.event_categories, which names it."),
        Field(
            "amount_qualifier",
            STRING,
            "How the source qualifies the amount.",
            rules=(r.one_of(AMOUNT_QUALIFIERS),),
        ),
        Field(
            "verification",
            STRING,
            "verified, mismatch, unverifiable or not_checked against the primary source.",
            True,
            (r.one_of(VERIFICATION),),
        ),
        Field("event_date", DATE, "Date of the event.", rules=(r.not_in_future(),)),
        Field("is_central_asia", BOOL, "One of the five Central Asian states."),
        Field(
            "country_iso3s",
            LIST,
            "Countries involved (alpha-3).",
            rules=(r.items_match(ISO3, "alpha-3 codes"),),
        ),
        Field("citation_keys", LIST, "References cited (see marts.references)."),
        text(
            "erratum",
            "The correction, in one sentence; empty where the paper is not known to be wrong.",
            True,
        ),
        Field(
            "target_mart",
            STRING,
            "The mart the error stands in.",
            rules=(r.one_of(ERRATA_TARGETS),),
        ),
        Field(
            "erratum_kind",
            STRING,
            "erratum, acknowledged_disagreement, or citation (the cited work does not support "
            "the sentence citing it).",
            rules=(r.one_of(ERRATUM_KINDS),),
        ),
        Field(
            "erratum_confidence",
            STRING,
            "confirmed, probable or suspected.",
            rules=(r.one_of(ERRATUM_CONFIDENCES),),
        ),
        Field(
            "check_status",
            STRING,
            "verified, discrepancy or not_checked.",
            rules=(r.one_of(CHECK_STATUSES),),
        ),
        Field(
            "amount_scope",
            STRING,
            "stated_total (the source states it as the recipient's overall total for the "
            "period), subtotal (the source states it as a part: some sectors, one programme) or "
            "not_stated.",
            rules=(r.one_of(AMOUNT_SCOPES),),
        ),
        Field(
            "country_code_status",
            STRING,
            "How the code relates to ISO 3166-1.",
            rules=(r.one_of(CODE_STATUSES),),
        ),
    )
}


def shared(field_name: str, **changes) -> Field:
    """The shared field `field_name`, optionally described, renamed or made nullable for one
    table (its type and rules stay the shared ones unless changed explicitly)."""
    field = FIELDS[field_name]
    return field.but(**changes) if changes else field
