"""Specs of the raw files in `raw/`: one `RawTable` per CSV, with its path, columns and links.

Belongs here: what each raw file must look like and which other raw tables its keys point to.
Stays out: reading files (transforms/raw_io.py) and cross-file rules (transforms/raw_relations.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.schemas import checks as c
from pipeline.schemas.spec import BOOL, DATE, DECIMAL, INT, STRING, Field, RowRule, TableSpec

ISO3 = r"[A-Z]{3}"
SLUG = r"[a-z][a-z0-9_]*"
FACTOR_CODES = ("overall", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8")
SCOPES = ("global", "region", "income_group")
CONFIDENCE = ("paper", "official", "press")
DATE_PRECISIONS = ("day", "month", "year")
EVENT_CATEGORIES = (
    "convention", "charter", "strategy", "action_plan", "law", "decree", "resolution",
    "protest", "meeting", "programme", "election", "membership", "agreement", "anniversary",
    "treaty_body", "funding", "global_event",
)  # fmt: skip


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
    source: str  # folder under raw/
    spec: TableSpec
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def relative_path(self) -> str:
        return f"{self.source}/{self.spec.name}.csv"

    @property
    def asset_name(self) -> str:
        return f"raw_{self.source}__{self.spec.name}"


def _text(name: str, description: str, nullable: bool = False, max_chars: int = c.MAX_TEXT_CHARS):
    return Field(name, STRING, description, nullable, c.text(max_chars))


def _code(name: str, regex: str, meaning: str, description: str, nullable: bool = False):
    return Field(name, STRING, description, nullable, (c.pattern(regex, meaning),))


RANK_WITHIN_N_SQL = '"rank" IS NULL OR "n_ranked" IS NULL OR "rank" <= "n_ranked"'


def _rank_within_n(df):
    return df["rank"].isna() | df["n_ranked"].isna() | (df["rank"] <= df["n_ranked"])


def _date_matches_precision(df):
    """Month precision means day 01; year precision means 01-01."""
    date = df["event_date"].astype(str)
    precision = df["date_precision"]
    month_ok = (precision != "month") | date.str.endswith("-01")
    year_ok = (precision != "year") | date.str.endswith("-01-01")
    return month_ok & year_ok


def _missing_rank_has_reason(df):
    return df["rank"].notna() | df["missing_reason"].notna()


def _amount_or_reason(df):
    return df["amount_eur"].notna() ^ df["amount_missing_reason"].notna()


TABLE1 = RawTable(
    "paper",
    TableSpec(
        name="table1_ranks",
        description="Paper Table 1, one row per cell: WJP Rule of Law Index 2022 ranks of the "
        "Central Asian states per factor, with the 2021 ranks printed in parentheses.",
        fields=(
            Field(
                "table_row",
                INT,
                "Row of the cell in Table 1 (1 = first data row).",
                checks=(c.positive_int(),),
            ),
            Field(
                "table_column",
                INT,
                "Column of the cell in Table 1 (1 = first country).",
                checks=(c.positive_int(),),
            ),
            _text("row_label", "Row label as printed (the paper's name of the WJP factor)."),
            _text("column_label", "Column header as printed, note marks included."),
            _text("country_name", "Country of the column, without note marks."),
            _text("cell_text", "The cell exactly as printed ('–' for no data)."),
            Field(
                "edition_year",
                INT,
                "WJP index edition the table reports.",
                checks=(c.year_between(2008, 2100),),
            ),
            Field(
                "rank",
                INT,
                "Rank in the cell; empty where the paper prints '–'.",
                True,
                (c.positive_int(),),
            ),
            Field(
                "n_ranked",
                INT,
                "Countries ranked, from the table's note; empty if not said.",
                True,
                (c.positive_int(),),
            ),
            _text("n_ranked_basis", "Where n_ranked comes from.", nullable=True),
            Field(
                "previous_rank",
                INT,
                "Rank printed in parentheses for the previous edition.",
                True,
                (c.positive_int(),),
            ),
            Field(
                "previous_edition_year",
                INT,
                "Edition of the parenthesised rank.",
                True,
                (c.year_between(2008, 2100),),
            ),
            Field(
                "note_marks",
                STRING,
                "Note marks printed on the cell or its column header.",
                True,
                (c.pattern(r"\*{1,3}", "one to three asterisks"),),
            ),
            _text("missing_reason", "Why the rank is empty, from the table's note.", True),
            _code(
                "source_reference_key",
                SLUG,
                "a reference key",
                "The reference the paper gives as the source (its source line).",
            ),
        ),  # fmt: skip
        primary_key=("row_label", "country_name"),
        row_rules=(
            RowRule("rank <= n_ranked", "rank", _rank_within_n, RANK_WITHIN_N_SQL),
            RowRule(
                "an empty rank has a missing_reason",
                "missing_reason",
                _missing_rank_has_reason,
                '"rank" IS NOT NULL OR "missing_reason" IS NOT NULL',
            ),
        ),  # fmt: skip
    ),
    (
        ForeignKey("row_label", "factor_crosswalk", "paper_label"),
        ForeignKey("country_name", "countries", "paper_names", ref_is_list=True),
        ForeignKey("source_reference_key", "references", "reference_key"),
    ),
)

TABLE2 = RawTable(
    "paper",
    TableSpec(
        name="table2_kazakhstan_ranks",
        description="Paper Table 2, one row per cell: Kazakhstan's 2022 WJP ranks per factor "
        "within its region (14), its income group (42) and the world (140).",
        fields=(
            Field("table_row", INT, "Row of the cell in Table 2.", checks=(c.positive_int(),)),
            Field(
                "table_column", INT, "Column of the cell in Table 2.", checks=(c.positive_int(),)
            ),
            _text("row_label", "Row label as printed (the paper's name of the WJP factor)."),
            _text("column_label", "Column header as printed."),
            Field("scope", STRING, "Ranking scope of the column.", checks=(c.one_of(SCOPES),)),
            _text("scope_name", "The group ranked, as the paper describes it."),
            _text("country_name", "The country ranked (Kazakhstan, from the table title)."),
            _text("cell_text", "The cell exactly as printed, e.g. '9/14*'."),
            Field(
                "edition_year",
                INT,
                "WJP index edition the table reports.",
                checks=(c.year_between(2008, 2100),),
            ),
            Field("rank", INT, "Rank before the slash.", checks=(c.positive_int(),)),
            Field(
                "n_ranked", INT, "Countries ranked, after the slash.", checks=(c.positive_int(),)
            ),
            Field(
                "note_marks",
                STRING,
                "Note marks printed on the cell.",
                True,
                (c.pattern(r"\*{1,3}", "one to three asterisks"),),
            ),
            _code(
                "source_reference_key",
                SLUG,
                "a reference key",
                "The reference the paper gives as the source (its source line).",
            ),
        ),  # fmt: skip
        primary_key=("row_label", "scope"),
        row_rules=(RowRule("rank <= n_ranked", "rank", _rank_within_n, RANK_WITHIN_N_SQL),),
    ),
    (
        ForeignKey("row_label", "factor_crosswalk", "paper_label"),
        ForeignKey("country_name", "countries", "paper_names", ref_is_list=True),
        ForeignKey("source_reference_key", "references", "reference_key"),
    ),
)

TABLE2_REGION = RawTable(
    "paper",
    TableSpec(
        name="table2_region_members",
        description="The 14 countries of the region that Table 2's note lists, in printed order.",
        fields=(
            Field("list_position", INT, "Position in the note's list.", checks=(c.positive_int(),)),
            _text("name_as_printed", "Country name as printed in the note."),
            _code("country_iso3", ISO3, "ISO 3166-1 alpha-3", "The country's alpha-3 code."),
        ),  # fmt: skip
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
            Field(
                "bar_position",
                INT,
                "Order of the label in the caption.",
                checks=(c.positive_int(),),
            ),
            _code(
                "label_as_printed",
                r"[A-Z]{2}",
                "two capital letters",
                "Bar label as printed. Not an ISO code: TD and TR are the paper's own.",
            ),
            _text("label_meaning_as_printed", "What the caption says the label means."),
            _code(
                "country_iso3",
                ISO3,
                "ISO 3166-1 alpha-3",
                "Explicit mapping of the label to a country (never an ISO lookup).",
            ),
            Field(
                "period_start_year",
                INT,
                "First year of the period.",
                checks=(c.year_between(1990, 2100),),
            ),
            Field(
                "period_end_year",
                INT,
                "Last year of the period.",
                checks=(c.year_between(1990, 2100),),
            ),
            Field(
                "amount_eur",
                DECIMAL,
                "The bar's value in EUR; empty: not in the text.",
                True,
                (c.decimal_eur(),),
            ),
            _text("amount_missing_reason", "Why amount_eur is empty.", True),
            _text("figure_source_as_printed", "The figure's source line as printed."),
            _code(
                "source_reference_key",
                SLUG,
                "a reference key",
                "The reference the paper gives as the source (its source line).",
            ),
        ),  # fmt: skip
        primary_key=("label_as_printed",),
        row_rules=(
            RowRule(
                "an amount or a reason it is missing, not both",
                "amount_eur",
                _amount_or_reason,
                '("amount_eur" IS NOT NULL) <> ("amount_missing_reason" IS NOT NULL)',
            ),
        ),
    ),
    (
        ForeignKey("country_iso3", "countries", "country_iso3"),
        ForeignKey("label_as_printed", "countries", "paper_codes", ref_is_list=True),
        ForeignKey("source_reference_key", "references", "reference_key"),
    ),
)

TIMELINE = RawTable(
    "paper",
    TableSpec(
        name="timeline_events",
        description="Every dated event in the paper's running text, with where it stands and "
        "what the paper cites for it.",
        fields=(
            _code(
                "event_id",
                r"ev_[0-9]{4}_[a-z0-9_]+",
                "an event id ev_YYYY_slug",
                "Stable id of the event.",
            ),
            Field(
                "event_date",
                DATE,
                "Date, as precise as the text; month/year precision use the first day.",
                checks=c.iso_date(),
            ),
            Field(
                "date_precision",
                STRING,
                "How precise the text's date is.",
                checks=(c.one_of(DATE_PRECISIONS),),
            ),
            _text("date_as_printed", "The date exactly as the paper prints it."),
            Field(
                "country_iso3s",
                STRING,
                "Countries involved (';'-separated alpha-3).",
                True,
                (c.semicolon_list(ISO3, "alpha-3 codes"),),
            ),
            _text("actor", "Who acted; empty where the paper names nobody.", True),
            Field("category", STRING, "Kind of event.", checks=(c.one_of(EVENT_CATEGORIES),)),
            _text("title", "Short title.", max_chars=120),
            _text("description", "One sentence paraphrasing the paper.", max_chars=600),
            Field(
                "deaths_reported",
                INT,
                "Deaths the paper reports for the event.",
                True,
                (c.at_least(0, "at least 0"),),
            ),
            _text("paper_section", "Section of the paper the sentence stands in."),
            _text("paper_quote", "Verbatim span of the paper that states the event."),
            Field(
                "citation_keys",
                STRING,
                "References the paper cites for it (';'-separated).",
                True,
                (c.semicolon_list(SLUG, "reference keys"),),
            ),
            _text("citation_note", "Why there is no citation, or what is odd about it.", True),
            _text("notes", "Notes for readers.", True),
        ),  # fmt: skip
        primary_key=("event_id",),
        row_rules=(
            RowRule(
                "event_date agrees with date_precision",
                "event_date",
                _date_matches_precision,
                """("date_precision" <> 'month' OR ends_with(CAST("event_date" AS VARCHAR), '-01'))
                AND ("date_precision" <> 'year'
                     OR ends_with(CAST("event_date" AS VARCHAR), '-01-01'))""",
            ),
        ),
    ),
    (
        ForeignKey("country_iso3s", "countries", "country_iso3", is_list=True),
        ForeignKey("citation_keys", "references", "reference_key", is_list=True),
    ),
)

REFERENCES = RawTable(
    "paper",
    TableSpec(
        name="references",
        description="The paper's whole reference list, keyed so events and tables can cite it.",
        fields=(
            _code("reference_key", SLUG, "a lowercase key", "Stable key of the reference."),
            Field(
                "list_position", INT, "Position in the reference list.", checks=(c.positive_int(),)
            ),
            _text("authors", "Authors or institution, as printed."),
            Field("year", INT, "Year as printed.", checks=(c.year_between(1900, 2100),)),
            _text("title", "Title as printed."),
            _text("container", "Journal, book or publisher, with volume and pages.", True),
            _text("url", "URL as printed.", True),
            Field(
                "accessed_date",
                DATE,
                "Date the paper says it accessed the URL.",
                True,
                c.iso_date(),
            ),
            _text("in_text_citation", "How the running text cites it.", True),
            _text("notes", "Discrepancies noticed while transcribing.", True),
        ),  # fmt: skip
        primary_key=("reference_key",),
    ),
)

COUNTRIES = RawTable(
    "reference",
    TableSpec(
        name="countries",
        description="Every country the data names: ISO 3166-1 codes, English name, and the "
        "names and codes the paper itself prints.",
        fields=(
            _code("country_iso3", ISO3, "three capital letters", "ISO 3166-1 alpha-3."),
            _code("country_iso2", r"[A-Z]{2}", "two capital letters", "ISO 3166-1 alpha-2."),
            _text("country_name", "English short name (ISO 3166-1)."),
            Field(
                "code_status",
                STRING,
                "iso_3166_1, or user_assigned (Kosovo: XK/XKX are "
                "user-assigned codes used by the EU and WJP, not ISO-assigned).",
                checks=(c.one_of(("iso_3166_1", "user_assigned")),),
            ),
            Field("is_central_asia", BOOL, "One of the five Central Asian states."),
            _text("paper_names", "Names the paper prints for it (';'-separated)."),
            _text(
                "paper_codes",
                "Codes the paper prints for it (';'-separated), e.g. Figure 1's TD for Tajikistan.",
                True,
            ),
        ),  # fmt: skip
        primary_key=("country_iso3",),
    ),
)

FACTOR_CROSSWALK = RawTable(
    "reference",
    TableSpec(
        name="factor_crosswalk",
        description="The paper's factor labels (translations) mapped to the WJP factors.",
        fields=(
            _text("paper_label", "Row label as the paper prints it."),
            Field("factor_code", STRING, "WJP measure code.", checks=(c.one_of(FACTOR_CODES),)),
            Field(
                "factor_number",
                INT,
                "0 for the overall score, 1-8 for factors.",
                checks=(c.between(0, 8, "between 0 and 8"),),
            ),
            _text("wjp_factor_name", "WJP's name of the measure."),
        ),  # fmt: skip
        primary_key=("paper_label",),
    ),
)

SOURCES = RawTable(
    "reference",
    TableSpec(
        name="sources",
        description="Documents the funding claims come from, with URL and confidence.",
        fields=(
            _code("source_id", SLUG, "a lowercase id", "Stable id of the source."),
            _text("title", "Title of the document or page."),
            _text("publisher", "Who published it."),
            _text("url", "Public URL; empty for the paper itself (held as text).", True),
            Field(
                "confidence", STRING, "paper, official or press.", checks=(c.one_of(CONFIDENCE),)
            ),
            Field(
                "date_accessed",
                DATE,
                "When the project accessed the URL; empty: not "
                "accessed from this project (see the origin record).",
                True,
                c.iso_date(),
            ),
            _text("locator_note", "Notes on where in the source the figure stands.", True),
        ),  # fmt: skip
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
            _code("claim_id", SLUG, "a lowercase id", "Stable id of the claim."),
            _code(
                "recipient_code",
                r"[A-Z]{3}|CENTRAL_ASIA",
                "alpha-3 or CENTRAL_ASIA",
                "Recipient: a country's alpha-3, or CENTRAL_ASIA for the region.",
            ),
            _text("recipient_name", "Recipient's name."),
            _code("instrument", SLUG, "a lowercase slug", "What the amount covers."),
            _text("scope_as_stated", "What the amount covers, as the source states it."),
            Field("period_start_year", INT, "First year.", checks=(c.year_between(1990, 2100),)),
            Field("period_end_year", INT, "Last year.", checks=(c.year_between(1990, 2100),)),
            Field(
                "amount_eur",
                DECIMAL,
                "Amount in EUR; empty where unknown or none.",
                True,
                (c.decimal_eur(),),
            ),
            Field("currency", STRING, "Currency of amount_eur.", checks=(c.one_of(("EUR",)),)),
            Field(
                "amount_qualifier",
                STRING,
                "How the source qualifies the amount.",
                checks=(
                    c.one_of(
                        (
                            "about",
                            "reached",
                            "over",
                            "exact",
                            "indicative",
                            "not_eligible",
                            "unknown",
                        )
                    ),
                ),
            ),
            _text("amount_missing_reason", "Why amount_eur is empty.", True),
            Field(
                "source_id",
                STRING,
                "The source of the claim; empty where none was found.",
                True,
                (c.pattern(SLUG, "a lowercase id"),),
            ),
            _text("source_locator", "Where in the source.", True),
            Field(
                "confidence",
                STRING,
                "paper, official or press; empty with no source.",
                True,
                (c.one_of(CONFIDENCE),),
            ),
        ),  # fmt: skip
        primary_key=("claim_id",),
        row_rules=(
            RowRule(
                "an amount or a reason it is missing, not both",
                "amount_eur",
                _amount_or_reason,
                '("amount_eur" IS NOT NULL) <> ("amount_missing_reason" IS NOT NULL)',
            ),
            RowRule(
                "period_start_year <= period_end_year",
                "period_end_year",
                lambda df: df["period_start_year"] <= df["period_end_year"],
                '"period_start_year" <= "period_end_year"',
            ),
        ),  # fmt: skip
    ),
    (ForeignKey("source_id", "sources", "source_id"),),
)

ERRATA = RawTable(
    "reference",
    TableSpec(
        name="errata",
        description="Where the paper's text disagrees with primary sources: the paper's claim "
        "stays in the timeline, the correction is attached.",
        fields=(
            _code("erratum_id", r"err_[a-z0-9_]+", "an id err_slug", "Stable id."),
            _code("event_id", r"ev_[0-9]{4}_[a-z0-9_]+", "an event id", "The event corrected."),
            _text("paper_claim", "The paper's words, verbatim."),
            _text("correction", "What the primary sources say."),
            Field(
                "corrected_event_date",
                DATE,
                "Date of the event per the sources.",
                True,
                c.iso_date(),
            ),
            Field(
                "corrected_date_precision",
                STRING,
                "Precision of corrected_event_date.",
                True,
                (c.one_of(DATE_PRECISIONS),),
            ),
            _text("source_urls", "URLs of the primary sources (';'-separated)."),
            _text("source_descriptions", "Publisher and title of each source, same order."),
            Field(
                "date_accessed",
                DATE,
                "When the project accessed the sources; empty: not accessed from this project.",
                True,
                c.iso_date(),
            ),
            _text("notes", "Notes.", True),
        ),  # fmt: skip
        primary_key=("erratum_id",),
    ),
    (ForeignKey("event_id", "timeline_events", "event_id"),),
)

ISO3166 = RawTable(
    "reference",
    TableSpec(
        name="iso3166_countries",
        description="Every ISO 3166-1 country (from Debian's iso-codes): the codes long-format "
        "indicator sources may use.",
        fields=(
            _code("country_iso3", ISO3, "three capital letters", "ISO 3166-1 alpha-3."),
            _code("country_iso2", r"[A-Z]{2}", "two capital letters", "ISO 3166-1 alpha-2."),
            _text("country_name", "English short name."),
        ),
        primary_key=("country_iso3",),
    ),
)

RAW_TABLES: tuple[RawTable, ...] = (
    TABLE1, TABLE2, TABLE2_REGION, FIGURE1, TIMELINE, REFERENCES,
    COUNTRIES, FACTOR_CROSSWALK, SOURCES, FUNDING_CLAIMS, ERRATA, ISO3166,
)  # fmt: skip
RAW_BY_NAME = {t.name: t for t in RAW_TABLES}

# Not a CSV: the origin records of the raw files, loaded into the warehouse so that every
# row can be traced to its file, checksum and citation with a query.
SOURCE_FILES = TableSpec(
    name="source_files",
    description="Origin record of each raw file: path, checksum, title, citation, locator.",
    fields=(
        Field("raw_table", STRING, "Name of the raw table."),
        Field("path", STRING, "Path of the CSV in the repository."),
        Field("sha256", STRING, "Checksum of the CSV that was loaded."),
        Field("origin_sha256", STRING, "Checksum of its origin record (.meta.yml)."),
        Field("title", STRING, "Origin record: title."),
        Field("producer", STRING, "Origin record: producer or authors."),
        Field("citation", STRING, "Origin record: full citation."),
        Field("locator", STRING, "Origin record: page, table, figure or section."),
        Field("url", STRING, "Origin record: URL.", True),
        Field("date_accessed", STRING, "Origin record: date accessed.", True),
        Field("license", STRING, "Origin record: licence or terms."),
    ),
    primary_key=("raw_table",),
)
