"""Specs of the transcribed files in `raw/`: one `RawTable` per CSV, with its folder, columns
and the keys it holds into other raw tables.

Belongs here: what each transcribed file must look like. Stays out: reading files
(transforms/sources/reader.py), cross-file rules (transforms/sources/raw_relations.py),
downloaded sources (schemas/wjp.py, schemas/vdem.py) and long-format indicator sources
(schemas/indicator_sources.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.schemas import row_rules as rr
from pipeline.schemas import rules as r
from pipeline.schemas.fields import (
    CODE_STATUSES,
    DATE_PRECISIONS,
    FACTOR_CODES,
    FIELDS,
    ISO3,
    SLUG,
    code,
    shared,
    text,
    url,
)
from pipeline.schemas.spec import BOOL, DATE, FLOAT, INT, STRING, Field, TableSpec
from pipeline.schemas.vdem import REGIME_TYPES


@dataclass(frozen=True)
class ForeignKey:
    """`column` of this table holds keys of `ref_table.ref_column` (';'-separated if `is_list`)."""

    column: str
    ref_table: str
    ref_column: str
    is_list: bool = False
    ref_is_list: bool = False


@dataclass(frozen=True)
class RawTable:
    folder: str  # folder under raw/
    spec: TableSpec
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def relative_path(self) -> str:
        return f"{self.folder}/{self.spec.name}.csv"

    @property
    def asset_name(self) -> str:
        return f"raw_{self.folder}__{self.spec.name}"


def _int(name: str, description: str, nullable: bool = False, *rules) -> Field:
    return Field(name, INT, description, nullable, tuple(rules))


def _position(name: str, description: str, nullable: bool = False) -> Field:
    return _int(name, description, nullable, r.positive())


RANK_WITHIN_N = rr.ordered("rank", "n_ranked")
CITES_PAPER_SOURCE = ForeignKey("source_reference_key", "references", "reference_key")
EDITION_YEAR = shared("edition_year", description="WJP index edition the table reports.")

TABLE1 = RawTable(
    "paper",
    TableSpec(
        name="table1_ranks",
        description="Paper Table 1, one row per cell: WJP Rule of Law Index 2022 ranks of the "
        "Central Asian states per factor, with the 2021 ranks printed in parentheses.",
        fields=(
            _position("table_row", "Row of the cell in Table 1 (1 = first data row)."),
            _position("table_column", "Column of the cell in Table 1 (1 = first country)."),
            text("row_label", "Row label as printed (the paper's name of the WJP factor)."),
            text("column_label", "Column header as printed, note marks included."),
            text("country_name", "Country of the column, without note marks."),
            text("cell_text", "The cell exactly as printed ('–' for no data)."),
            EDITION_YEAR,
            shared("rank", description="Rank in the cell; empty where the paper prints '–'."),
            shared(
                "n_ranked",
                description="Countries ranked, from the table's note; empty if not said.",
            ),
            text("n_ranked_basis", "Where n_ranked comes from.", nullable=True),
            _position(
                "previous_rank", "Rank printed in parentheses for the previous edition.", True
            ),
            _int(
                "previous_edition_year",
                "Edition of the parenthesised rank.",
                True,
                r.year_between(2008, 2100),
                r.not_in_future("year"),
            ),
            code(
                "note_marks",
                r"\*{1,3}",
                "one to three asterisks",
                "Note marks printed on the cell or its column header.",
                True,
            ),
            text("missing_reason", "Why the rank is empty, from the table's note.", True),
            shared("source_reference_key"),
        ),
        primary_key=("row_label", "country_name"),
        row_rules=(
            RANK_WITHIN_N,
            rr.any_present(
                "rank",
                "missing_reason",
                column="missing_reason",
                name="an empty rank has a missing_reason",
            ),
        ),
    ),
    (
        ForeignKey("row_label", "factor_crosswalk", "paper_label"),
        ForeignKey("country_name", "countries", "paper_names", ref_is_list=True),
        CITES_PAPER_SOURCE,
    ),
)

TABLE2 = RawTable(
    "paper",
    TableSpec(
        name="table2_kazakhstan_ranks",
        description="Paper Table 2, one row per cell: Kazakhstan's 2022 WJP ranks per factor "
        "within its region (14), its income group (42) and the world (140).",
        fields=(
            _position("table_row", "Row of the cell in Table 2."),
            _position("table_column", "Column of the cell in Table 2."),
            text("row_label", "Row label as printed (the paper's name of the WJP factor)."),
            text("column_label", "Column header as printed."),
            shared("scope", description="Ranking scope of the column."),
            text("scope_name", "The group ranked, as the paper describes it."),
            text("country_name", "The country ranked (Kazakhstan, from the table title)."),
            text("cell_text", "The cell exactly as printed, e.g. '9/14*'."),
            EDITION_YEAR,
            shared("rank", description="Rank before the slash.", nullable=False),
            shared("n_ranked", description="Countries ranked, after the slash.", nullable=False),
            code(
                "note_marks",
                r"\*{1,3}",
                "one to three asterisks",
                "Note marks printed on the cell.",
                True,
            ),
            shared("source_reference_key"),
        ),
        primary_key=("row_label", "scope"),
        row_rules=(RANK_WITHIN_N,),
    ),
    (
        ForeignKey("row_label", "factor_crosswalk", "paper_label"),
        ForeignKey("country_name", "countries", "paper_names", ref_is_list=True),
        CITES_PAPER_SOURCE,
    ),
)

TABLE2_REGION = RawTable(
    "paper",
    TableSpec(
        name="table2_region_members",
        description="The 14 countries of the region that Table 2's note lists, in printed order.",
        fields=(
            _position("list_position", "Position in the note's list."),
            text("name_as_printed", "Country name as printed in the note."),
            shared("country_iso3"),
        ),
        primary_key=("country_iso3",),
    ),
    (ForeignKey("country_iso3", "countries", "country_iso3"),),
)

FIGURE1 = RawTable(
    "paper",
    TableSpec(
        name="figure1_bars",
        description="Paper Figure 1 (EU financial assistance for human rights in Central Asia "
        "2014-2020): its bar labels as printed. The bar values are not in the text.",
        fields=(
            _position("bar_position", "Order of the label in the caption."),
            code(
                "label_as_printed",
                r"[A-Z]{2}",
                "two capital letters",
                "Bar label as printed. Not an ISO code: TD and TR are the paper's own.",
            ),
            text("label_meaning_as_printed", "What the caption says the label means."),
            shared(
                "country_iso3",
                description="Explicit mapping of the label to a country (never an ISO lookup).",
            ),
            shared("period_start_year"),
            shared("period_end_year"),
            shared("amount_eur", description="The bar's value in EUR; empty: not in the text."),
            shared("amount_missing_reason"),
            text("figure_source_as_printed", "The figure's source line as printed."),
            shared("source_reference_key"),
        ),
        primary_key=("label_as_printed",),
        row_rules=(
            rr.exactly_one_present(
                "amount_eur",
                "amount_missing_reason",
                name="an amount or a reason it is missing, not both",
            ),
        ),
    ),
    (
        ForeignKey("country_iso3", "countries", "country_iso3"),
        ForeignKey("label_as_printed", "countries", "paper_codes", ref_is_list=True),
        CITES_PAPER_SOURCE,
    ),
)

TIMELINE = RawTable(
    "paper",
    TableSpec(
        name="timeline_events",
        description="Every dated event in the paper's running text, with where it stands and "
        "what the paper cites for it.",
        fields=(
            shared("event_id", description="Stable id; its year is the year of event_date."),
            shared(
                "event_date",
                description="Date, as precise as the text: month precision uses the 1st of the "
                "month, year precision January 1st.",
            ),
            shared("date_precision", description="How precisely the paper's text dates the event."),
            text("date_as_printed", "The date expression exactly as the paper prints it."),
            code(
                "country_iso3s",
                rf"{ISO3}(;{ISO3})*",
                "';'-separated alpha-3 codes",
                "Countries involved (';'-separated ISO 3166-1 alpha-3); empty where the paper "
                "names no country (European instruments, global events).",
                True,
            ),
            text(
                "actor",
                "Who acted, as named or directly implied by the paper; empty where it names no "
                "one (notes say so).",
                True,
            ),
            shared("category"),
            text("title", "Short title of the event.", max_chars=120),
            text("description", "One sentence paraphrasing what the paper says.", max_chars=600),
            _int(
                "deaths_reported",
                "Deaths the paper reports for the event; empty where it gives none.",
                True,
                r.at_least(0),
            ),
            text("paper_section", "Section heading the quoted sentence stands under."),
            text(
                "paper_quote",
                "Verbatim span of the paper, whitespace collapsed, that states the date and the "
                "event.",
            ),
            code(
                "citation_keys",
                rf"{SLUG}(;{SLUG})*",
                "';'-separated reference keys",
                "References the paper cites for the event in the same sentence or its closing "
                "parenthesis (';'-separated reference_key values of references.csv).",
                True,
            ),
            text(
                "citation_note",
                "Why citation_keys is empty, or what is odd about the citation; empty otherwise.",
                True,
            ),
            text("notes", "Remarks on reading the paper (no outside facts); empty if none.", True),
        ),
        primary_key=("event_id",),
        row_rules=(
            rr.custom(
                "date_matches_precision",
                "event_date",
                "event_date agrees with date_precision",
                "event_date",
                "date_precision",
            ),
        ),
    ),
    (
        ForeignKey("country_iso3s", "countries", "country_iso3", is_list=True),
        ForeignKey("category", "event_categories", "category"),
        ForeignKey("citation_keys", "references", "reference_key", is_list=True),
    ),
)

REFERENCES = RawTable(
    "paper",
    TableSpec(
        name="references",
        description="The paper's whole reference list, keyed so events and tables can cite it.",
        fields=(
            shared(
                "reference_key",
                description="Stable key: the first author's surname or a slug of the "
                "organisation or title, then the year, and a letter where two share both.",
            ),
            _position("list_position", "1-based position of the entry in the reference list."),
            text(
                "authors",
                "Authors as printed (the bold lead of the entry), without markdown; for an entry "
                "without authors, the document's title.",
            ),
            _int(
                "year",
                "Year as printed in the list, in parentheses after the authors.",
                False,
                r.year_between(1900, 2100),
            ),
            text("title", "Title as printed, markdown removed."),
            text(
                "container",
                "Journal with volume(issue) and pages, or book or publisher, as printed; empty "
                "if none.",
                True,
            ),
            url(
                "url",
                "URL as printed, with <> and markdown link syntax removed and \\( \\) "
                "un-escaped; empty if none.",
            ),
            Field(
                "accessed_date",
                DATE,
                "Access date the list prints for the URL; empty if none.",
                True,
                (r.not_in_future(),),
            ),
            text(
                "in_text_citation",
                "How the running text cites the entry, several forms separated by '; '; empty "
                "if never cited.",
                True,
            ),
            text(
                "notes",
                "Discrepancies noticed between list and text, or formatting remarks; empty if "
                "none.",
                True,
            ),
        ),
        primary_key=("reference_key",),
    ),
)

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
        _int("year_from", "First year compared" + empty, True, r.year_between(1900, 2100)),
        _int(
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
        _int(
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
            _int(
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


ERRATA = RawTable(
    "reference",
    TableSpec(
        name="errata",
        description="Where the paper disagrees with public primary sources: one row per error, "
        "keyed to the row of the mart it stands in. The paper's words stay as printed; the "
        "correction is attached beside them.",
        fields=(
            code("erratum_id", r"err_[a-z0-9_]+", "an id err_slug", "Stable id."),
            shared("erratum_kind", name="kind"),
            shared("target_mart"),
            text(
                "target_key",
                "The row in that mart: the values of its primary key, in the key's order, "
                "'/'-joined when it has several columns.",
            ),
            text("target_field", "The column the error is in, where it is one column.", True),
            text("paper_says", "The paper's words, verbatim."),
            text("correction", "What the primary sources say, in one sentence."),
            text("corrected_value", "The corrected value, where there is one.", True),
            Field(
                "corrected_date",
                DATE,
                "The corrected date of a dated event.",
                True,
                (r.not_in_future(),),
            ),
            Field(
                "corrected_date_precision",
                STRING,
                "Precision of corrected_date.",
                True,
                (r.one_of(DATE_PRECISIONS),),
            ),
            shared("erratum_confidence", name="confidence"),
            code(
                "source_urls",
                r"https?://[^;\s]+(;https?://[^;\s]+)*",
                "';'-separated URLs",
                "URLs of the sources (';'-separated); empty only for suspected errata.",
                True,
            ),
            text(
                "source_descriptions",
                "Publisher, title and date of each source, in the same order.",
                True,
            ),
            Field(
                "date_accessed",
                DATE,
                "When the sources were read (from the search tool's stored copies); empty: not "
                "accessed from this project.",
                True,
                (r.not_in_future(),),
            ),
            text(
                "notes",
                "Provenance and caveats; for a suspected erratum, why it is believed.",
                True,
            ),
        ),
        primary_key=("erratum_id",),
        row_rules=(
            rr.custom(
                "sourced_unless_suspected",
                "source_urls",
                "a confirmed or probable erratum names its sources; a suspected one says why",
                "confidence",
                "source_urls",
                "notes",
            ),
        ),
    ),
)

REFERENCE_CHECKS = RawTable(
    "reference",
    TableSpec(
        name="reference_checks",
        description="The paper's reference list checked against publishers' and indexing "
        "records: what was found, where, and what could not be checked.",
        fields=(
            shared("reference_key", description="Key of the reference (raw/paper/references.csv)."),
            shared("check_status"),
            code(
                "record_urls",
                r"https?://[^;\s]+(;https?://[^;\s]+)*",
                "';'-separated URLs",
                "URLs of the records read (';'-separated); empty when none was found.",
                True,
            ),
            text("record_title", "Title as the record gives it.", True),
            text("record_publisher", "Publisher or index of the record.", True),
            text(
                "note",
                "What the record does not state, caveats, or what was searched when nothing was "
                "found.",
            ),
        ),
        primary_key=("reference_key",),
        row_rules=(
            rr.custom(
                "record_unless_not_checked",
                "record_urls",
                "a checked reference names its record; an unchecked one has none",
                "check_status",
                "record_urls",
            ),
        ),
    ),
    (ForeignKey("reference_key", "references", "reference_key"),),
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

RAW_TABLES: tuple[RawTable, ...] = (
    TABLE1,
    TABLE2,
    TABLE2_REGION,
    FIGURE1,
    EVENT_CATEGORIES,
    TIMELINE,
    REFERENCES,
    CLAIMS,
    CLAIM_VARIANTS,
    COUNTRIES,
    FACTOR_CROSSWALK,
    SOURCES,
    FUNDING_INSTRUMENTS,
    FUNDING_CLAIMS,
    ERRATA,
    REFERENCE_CHECKS,
    CLAIM_RECORDS,
    ISO3166,
    RawTable("reference", REGIME_TYPES),  # V-Dem's names of its codes (schemas/vdem.py)
)
RAW_BY_NAME = {t.name: t for t in RAW_TABLES}
