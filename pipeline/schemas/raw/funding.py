"""EU funding for Central Asia: the claims about its amounts, one per source (funding_claims),
what each instrument covers (funding_instruments) and the documents the claims come from
(sources), all in raw/reference/.

Belongs here: those specs. Stays out: adding amounts up (the funding models under sql/).
"""

from __future__ import annotations

from pipeline.schemas import row_rules as rr
from pipeline.schemas import rules as r
from pipeline.schemas.fields import FIELDS, SLUG, code, shared, text, url
from pipeline.schemas.raw.table import ForeignKey, RawTable
from pipeline.schemas.spec import DATE, STRING, Field, TableSpec

SOURCES = RawTable(
    "reference",
    TableSpec(
        name="sources",
        description="Documents the funding claims come from, with URL and confidence.",
        fields=(
            shared("source_id", description="Stable id of the source."),
            text("title", "Title of the document or page."),
            text("publisher", "Who published it."),
            url("url", "Public URL; empty for the paper itself (held as text)."),
            shared("confidence"),
            Field(
                "date_accessed",
                DATE,
                "When the project accessed the URL; empty: not accessed from this project "
                "(see the origin record).",
                True,
                (r.not_in_future(),),
            ),
            text("locator_note", "Notes on where in the source the figure stands.", True),
        ),
        primary_key=("source_id",),
    ),
)

FUNDING_CLAIMS = RawTable(
    "reference",
    TableSpec(
        name="funding_claims",
        description="Claims about EU funding for Central Asia 2014-2020, one per source; "
        "disagreeing claims are all kept.",
        fields=(
            shared("claim_id"),
            code(
                "recipient_code",
                r"[A-Z]{3}|CENTRAL_ASIA",
                "alpha-3 or CENTRAL_ASIA",
                "Recipient: a country's alpha-3, or CENTRAL_ASIA for the region.",
            ),
            text("recipient_name", "Recipient's name."),
            code("instrument", SLUG, "a lowercase slug", "What the amount covers."),
            text("scope_as_stated", "What the amount covers, as the source states it."),
            shared("period_start_year"),
            shared("period_end_year"),
            shared("amount_eur", description="Amount in EUR; empty where unknown or none."),
            Field("currency", STRING, "Currency of amount_eur.", rules=(r.one_of(("EUR",)),)),
            shared("amount_qualifier"),
            shared(
                "amount_scope",
                description=FIELDS["amount_scope"].description
                + " marts.funding_totals prefers a stated total over a subtotal.",
            ),
            shared("amount_missing_reason"),
            shared(
                "source_id",
                description="The source of the claim; empty where none was found.",
                nullable=True,
            ),
            text("source_locator", "Where in the source.", True),
            shared(
                "confidence",
                description="paper, official or press; empty with no source.",
                nullable=True,
            ),
        ),
        primary_key=("claim_id",),
        row_rules=(
            rr.exactly_one_present(
                "amount_eur",
                "amount_missing_reason",
                name="an amount or a reason it is missing, not both",
            ),
            rr.ordered("period_start_year", "period_end_year", column="period_end_year"),
        ),
    ),
    (
        ForeignKey("source_id", "sources", "source_id"),
        ForeignKey("instrument", "funding_instruments", "instrument"),
    ),
)

FUNDING_INSTRUMENTS = RawTable(
    "reference",
    TableSpec(
        name="funding_instruments",
        description="What each funding instrument covers, so that claims that overlap are never "
        "added up: only a country's bilateral allocation and the regional programme are known to "
        "exclude each other.",
        fields=(
            code(
                "instrument",
                SLUG,
                "a lowercase slug",
                "Instrument id, as funding_claims.csv names it.",
            ),
            text("instrument_name", "What the instrument is."),
            Field(
                "covers",
                STRING,
                "all (the whole envelope), bilateral, regional, or unknown (may overlap anything).",
                rules=(r.one_of(("all", "bilateral", "regional", "unknown")),),
            ),
            text("basis", "Why, with the source."),
        ),
        primary_key=("instrument",),
    ),
)
