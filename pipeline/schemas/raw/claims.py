"""The paper's checkable claims: each claim with the rule that decides its verdict (claims), the
reasonable variants of its reading (claim_variants), both in raw/paper/, and the public records
that check a claim (claim_records, raw/reference/).

Belongs here: those specs and their vocabularies (the rule kinds, the measures, the findings).
Stays out: computing the verdicts (the models under sql/) and errata (errata.py).
"""

from __future__ import annotations

from pipeline.schemas import row_rules as rr
from pipeline.schemas import rules as r
from pipeline.schemas.fields import ISO3, SLUG, code, text, url
from pipeline.schemas.raw.table import ForeignKey, RawTable, integer
from pipeline.schemas.spec import BOOL, DATE, FLOAT, STRING, Field, TableSpec

CLAIM_RULES = (
    "only_democracy",
    "all_autocracies",
    "index_rises",
    "index_falls",
    "region_rises",
    "worst_in_group",
    "autocratization_since",
    "wjp_coverage",
    "best_in_group",
    "wjp_improves",
    "wjp_declines",
    "wjp_similar",
    "tables_verified",
    "erratum",
    "public_record",
    "not_checkable",
)
# The parameters of a claim's reading that a variant (raw/paper/claim_variants.csv) may change.
MEASURES = r"[A-Za-z0-9_.]+(;[A-Za-z0-9_.]+)*"
COUNTRY_SCOPES = ("europe_asia", "world")


def _reading_fields(empty: str = "") -> tuple[Field, ...]:
    """The parameters of a reading, in claims.csv (as stated) and claim_variants.csv (changed;
    `empty` says what an empty one means there)."""
    return (
        integer("year_from", "First year compared" + empty, True, r.year_between(1900, 2100)),
        integer(
            "year_to",
            "Year observed, or the last year compared" + empty,
            True,
            r.year_between(1900, 2100),
        ),
        Field("threshold", FLOAT, "Smallest change that counts" + empty, True, (r.at_least(0),)),
        code(
            "measure",
            MEASURES,
            "measure codes (';'-separated)",
            "The measure of the reading: a V-Dem variable (v2x_regime, v2x_polyarchy), WJP "
            "measure codes (overall, F1-F8, SF sub-factors; ';'-separated when several), or for "
            "autocratization_since starts, ongoing or starts_and_ongoing" + empty,
            True,
        ),
        integer(
            "window_years",
            "Length of each window compared (autocratization_since)" + empty,
            True,
            r.positive(),
        ),
        Field(
            "beyond_interval",
            BOOL,
            "true: a change or lead counts only beyond V-Dem's interval (codelow, codehigh); "
            "false: by point estimate" + empty,
            True,
        ),
        Field(
            "country_scope",
            STRING,
            "Countries counted by autocratization_since: europe_asia (WJP's groups) or world"
            + empty,
            True,
            (r.one_of(COUNTRY_SCOPES),),
        ),
    )


CLAIM_SOURCES = r"none|(vdem_ert|wjp_roli|errata|records)(;(vdem_ert|wjp_roli|errata|records))*"

CLAIMS = RawTable(
    "paper",
    TableSpec(
        name="claims",
        description="The paper's claims that a primary source the project holds can check, "
        "each with the rule that decides its verdict, stated before looking at the data.",
        fields=(
            code("claim_id", r"clm_[a-z0-9_]+", "an id clm_slug", "Stable id of the claim."),
            text("paper_quote", "The claim, verbatim."),
            text("paper_section", "Section of the paper."),
            text("source_locator", "Where in the section."),
            code(
                "country_iso3s",
                rf"{ISO3}(;{ISO3})*",
                "';'-separated alpha-3 codes",
                "Countries the claim is about (';'-separated alpha-3); empty when it names none.",
                True,
            ),
            code(
                "checked_against",
                CLAIM_SOURCES,
                "source ids",
                "Source ids the claim is checked against (';'-separated): vdem_ert, wjp_roli, "
                "errata, records (raw/reference/claim_records.csv); none for a claim nothing we "
                "hold can check (rule_kind not_checkable).",
            ),
            Field(
                "rule_kind",
                STRING,
                "The computed rule that decides the verdict; not_checkable where nothing we hold "
                "can check the claim (the note says why).",
                rules=(r.one_of(CLAIM_RULES),),
            ),
            code(
                "subject_iso3",
                ISO3,
                "an alpha-3 code",
                "The country the claim singles out, for rules that compare one with the others.",
                True,
            ),
            *_reading_fields("."),
            Field(
                "target_mart",
                STRING,
                "For the erratum rule: the mart of the row that states the claim.",
                True,
                (r.one_of(("timeline", "funding", "references")),),
            ),
            text("target_key", "For the erratum rule: the key of that row.", True),
            text("rule", "How the verdict follows from the evidence, in words."),
            text("note", "Notes for readers.", True),
        ),
        primary_key=("claim_id",),
        row_rules=(rr.ordered("year_from", "year_to", column="year_from"),),
    ),
    (ForeignKey("country_iso3s", "countries", "country_iso3", is_list=True),),
)

CLAIM_VARIANTS = RawTable(
    "paper",
    TableSpec(
        name="claim_variants",
        description="The reasonable variants of each claim's reading, stated with its rule before "
        "looking at the data: each changes some parameters of the stated reading (empty: as "
        "stated), and the verdict is computed under every one.",
        fields=(
            code(
                "claim_id", r"clm_[a-z0-9_]+", "an id clm_slug", "The claim (raw/paper/claims.csv)."
            ),
            code("variant_id", SLUG, "a lowercase slug", "Id of the variant within the claim."),
            text("description", "What the variant changes, in words."),
            *_reading_fields("; empty keeps the stated one."),
        ),
        primary_key=("claim_id", "variant_id"),
        row_rules=(rr.ordered("year_from", "year_to", column="year_from"),),
    ),
    (ForeignKey("claim_id", "claims", "claim_id"),),
)

FINDINGS = ("confirms", "partly_confirms", "contradicts")

CLAIM_RECORDS = RawTable(
    "reference",
    TableSpec(
        name="claim_records",
        description="Public records that check a claim of the paper (rule_kind public_record): "
        "what each says of the part of the claim it covers, with its URL, so that a record that "
        "confirms a sentence counts as much as one that contradicts it.",
        fields=(
            code("record_id", r"rec_[a-z0-9_]+", "an id rec_slug", "Stable id."),
            code(
                "claim_id",
                r"clm_[a-z0-9_]+",
                "an id clm_slug",
                "The claim the record checks (raw/paper/claims.csv).",
            ),
            Field(
                "finding",
                STRING,
                "confirms (the record states what the claim, or the part of it the record "
                "covers, says), partly_confirms (it states part of it, or something close) or "
                "contradicts.",
                rules=(r.one_of(FINDINGS),),
            ),
            text("record_says", "What the record says, in one sentence (not a quotation)."),
            url("url", "Public URL of the record.", nullable=False),
            text("source_description", "Publisher, title and date of the record."),
            Field(
                "date_accessed",
                DATE,
                "When the record was read (from the search tool's stored copy).",
                rules=(r.not_in_future(),),
            ),
            text("notes", "Provenance and caveats.", True),
        ),
        primary_key=("record_id",),
    ),
    (ForeignKey("claim_id", "claims", "claim_id"),),
)
