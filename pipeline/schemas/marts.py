"""Specs of the marts: the warehouse's public interface. Column names here are a contract.

Each spec fixes a mart's columns, types, descriptions, key and rules. The DuckDB table, the
pandera check and the Parquet schema are all derived from it.
"""

from __future__ import annotations

import pandas as pd

from pipeline.schemas import checks as c
from pipeline.schemas.indicator_sources import INDICATOR_CODE
from pipeline.schemas.raw import (
    CONFIDENCE,
    DATE_PRECISIONS,
    EVENT_CATEGORIES,
    RANK_WITHIN_N_SQL,
    SCOPES,
)
from pipeline.schemas.spec import (
    BOOL,
    DATE,
    DECIMAL,
    FLOAT,
    INT,
    LIST,
    STRING,
    Field,
    RowRule,
    TableSpec,
)  # fmt: skip
from pipeline.schemas.wjp import MEASURE_CODE

ISO3 = (c.pattern(r"[A-Z]{3}", "an alpha-3 code"),)
VERIFICATION = ("verified", "mismatch", "unverifiable", "not_checked")
AMOUNT_QUALIFIERS = ("about", "reached", "over", "exact", "indicative", "not_eligible", "unknown",
                     "not_transcribed")  # fmt: skip


def _rank_within_n(df: pd.DataFrame) -> pd.Series:
    return df["rank"].isna() | df["n_ranked"].isna() | (df["rank"] <= df["n_ranked"])


def _rank_or_reason(df: pd.DataFrame) -> pd.Series:
    return df["rank"].notna() | df["missing_reason"].notna()


def _verified_iff_paper(df: pd.DataFrame) -> pd.Series:
    """Paper cells carry a verification status and note; source rows carry none."""
    is_paper = df["source_id"].str.startswith("paper_")
    has_status = df["verification"].notna() & df["verification_note"].notna()
    return is_paper == has_status


def _amount_known_flag(df: pd.DataFrame) -> pd.Series:
    return df["is_amount_known"] == df["amount_eur"].notna()


INDICATORS = TableSpec(
    name="indicators",
    description="WJP Rule of Law Index ranks: one row per source x country x index edition x "
    "measure x ranking scope. The paper's Table 1 and Table 2 cells are rows with "
    "source_id 'paper_table1' / 'paper_table2' (source_locator gives the table, row and "
    "column), each verified against the WJP snapshot; rows with source_id 'wjp_roli' are "
    "WJP's own scores with ranks computed from them (all countries, editions 2015-2025).",
    fields=(
        Field(
            "source_id",
            STRING,
            "Where the row comes from: 'paper_table1' and 'paper_table2' are the paper's "
            "tables, 'wjp_roli' the WJP snapshot.",
        ),
        Field(
            "source_locator",
            STRING,
            "Where in the source: table, row and column (paper), "
            "file and measure (WJP), or the data file (long-format sources).",
        ),
        Field(
            "source_row",
            INT,
            "Data row in the source file (long-format sources only).",
            True,
            (c.positive_int(),),
        ),
        Field("country_iso3", STRING, "ISO 3166-1 alpha-3 of the country ranked.", checks=ISO3),
        Field("country_name", STRING, "English name of the country."),
        Field(
            "edition_year",
            INT,
            "WJP index edition (the 2017-18 edition is 2018); the year for long-format sources.",
            checks=(c.year_between(1789, 2100),),
        ),
        Field("edition_label", STRING, "Edition as WJP labels it, e.g. '2017-18'."),
        Field(
            "factor_code",
            STRING,
            "'overall', WJP factor 'F1'..'F8', or sub-factor 'SF1.1'..'SF8.7' (WJP rows, "
            "2025 edition only); a long-format source's own indicator code.",
            checks=(c.pattern(f"{MEASURE_CODE}|{INDICATOR_CODE}", "a measure or indicator code"),),
        ),
        Field("factor_name", STRING, "WJP's name of the measure."),
        Field("paper_label", STRING, "The paper's label for the measure, as printed.", True),
        Field(
            "scope",
            STRING,
            "Ranking scope: global, region or income_group.",
            checks=(c.one_of(SCOPES),),
        ),
        Field("scope_name", STRING, "The group ranked within (as the source names it)."),
        Field(
            "rank",
            INT,
            "Rank within the scope (1 = best); empty where the source has none.",
            True,
            (c.positive_int(),),
        ),
        Field(
            "n_ranked",
            INT,
            "Number of countries ranked in the scope; empty where the source does not say.",
            True,
            (c.positive_int(),),
        ),
        Field("missing_reason", STRING, "Why rank is empty (e.g. 'no data').", True),
        Field("cell_text", STRING, "The paper's cell exactly as printed (paper rows).", True),
        Field(
            "paper_citation_key",
            STRING,
            "The reference the paper cites as the table's source (see marts.references).",
            True,
        ),
        Field(
            "score",
            FLOAT,
            "WJP's published score (0-1, 4 decimals) on WJP rows; the value on rows of "
            "long-format sources; empty on the paper's rows.",
            True,
        ),
        Field(
            "verification",
            STRING,
            "Paper rows: verified, mismatch, unverifiable or not_checked against the WJP "
            "snapshot; empty on source rows.",
            True,
            (c.one_of(VERIFICATION),),
        ),
        Field(
            "verification_note",
            STRING,
            "What was compared with what, or why it could not be.",
            True,
        ),
    ),  # fmt: skip
    primary_key=("source_id", "country_iso3", "edition_year", "factor_code", "scope"),
    row_rules=(
        RowRule(
            "paper rows, and only they, have a verification",
            "verification",
            _verified_iff_paper,
            """starts_with("source_id", 'paper_')
            = ("verification" IS NOT NULL AND "verification_note" IS NOT NULL)""",
        ),
        RowRule("rank <= n_ranked", "rank", _rank_within_n, RANK_WITHIN_N_SQL),
        RowRule(
            "WJP scores lie between 0 and 1",
            "score",
            lambda df: (df["source_id"] != "wjp_roli") | df["score"].between(0, 1),
            """"source_id" <> 'wjp_roli' OR coalesce("score" BETWEEN 0 AND 1, FALSE)""",
        ),
        RowRule(
            "an empty rank has a missing_reason",
            "missing_reason",
            _rank_or_reason,
            '"rank" IS NOT NULL OR "missing_reason" IS NOT NULL',
        ),
    ),
)

FUNDING = TableSpec(
    name="funding",
    description="EU funding for Central Asia 2014-2020: one row per claim (source x recipient x "
    "instrument). Claims that disagree are all kept and flagged (is_disputed); unknown amounts "
    "are empty with the reason.",
    fields=(
        Field("claim_id", STRING, "Stable id of the claim."),
        Field("recipient_code", STRING, "Alpha-3 of the recipient country, or CENTRAL_ASIA."),
        Field("recipient_name", STRING, "Recipient's name."),
        Field("instrument", STRING, "What the amount covers (bilateral, regional_programme, ...)."),
        Field("scope_as_stated", STRING, "What the amount covers, in the source's words."),
        Field("period_start_year", INT, "First year.", checks=(c.year_between(1990, 2100),)),
        Field("period_end_year", INT, "Last year.", checks=(c.year_between(1990, 2100),)),
        Field(
            "amount_eur",
            DECIMAL,
            "Amount in EUR (exact decimal); empty where unknown.",
            True,
            (c.at_least(0, "at least 0"),),
        ),
        Field("is_amount_known", BOOL, "Whether the source gives an amount."),
        Field(
            "amount_qualifier",
            STRING,
            "How the source qualifies the amount.",
            checks=(c.one_of(AMOUNT_QUALIFIERS),),
        ),
        Field("amount_missing_reason", STRING, "Why amount_eur is empty.", True),
        Field("source_id", STRING, "Id of the source (see marts.sources in the report).", True),
        Field("source_title", STRING, "Title of the source.", True),
        Field("source_url", STRING, "Public URL of the source; empty for the paper.", True),
        Field("source_locator", STRING, "Where in the source.", True),
        Field("confidence", STRING, "paper, official or press.", True, (c.one_of(CONFIDENCE),)),
        Field(
            "is_disputed",
            BOOL,
            "Another claim for the same recipient, instrument and period gives a different amount.",
        ),
        Field(
            "competing_claim_ids",
            LIST,
            "The other claims for the same recipient, instrument and period.",
        ),
    ),  # fmt: skip
    primary_key=("claim_id",),
    row_rules=(
        RowRule(
            "is_amount_known matches amount_eur",
            "is_amount_known",
            _amount_known_flag,
            '"is_amount_known" = ("amount_eur" IS NOT NULL)',
        ),
    ),  # fmt: skip
)

TIMELINE = TableSpec(
    name="timeline",
    description="Every dated event in the paper's text, with its precision, countries, the "
    "paper's citations and, where the paper is wrong, the correction (erratum).",
    fields=(
        Field("event_id", STRING, "Stable id of the event."),
        Field(
            "event_date",
            DATE,
            "Date as precise as the paper gives it (first day of the "
            "month/year for month/year precision).",
        ),
        Field("date_precision", STRING, "day, month or year.", checks=(c.one_of(DATE_PRECISIONS),)),
        Field("date_as_printed", STRING, "The date as the paper prints it."),
        Field(
            "country_iso3s",
            LIST,
            "Countries involved (alpha-3).",
            checks=(c.list_of(r"[A-Z]{3}", "alpha-3 codes"),),
        ),
        Field("actor", STRING, "Who acted; empty where the paper names nobody.", True),
        Field("category", STRING, "Kind of event.", checks=(c.one_of(EVENT_CATEGORIES),)),
        Field("title", STRING, "Short title."),
        Field(
            "description",
            STRING,
            "One sentence paraphrasing the paper (stored verbatim; escape it when rendering HTML).",
        ),
        Field("deaths_reported", INT, "Deaths the paper reports for the event.", True),
        Field("source_id", STRING, "'paper'."),
        Field("source_locator", STRING, "Section of the paper."),
        Field("paper_quote", STRING, "Verbatim span of the paper stating the event."),
        Field("citation_keys", LIST, "References the paper cites for it (see marts.references)."),
        Field("citation_note", STRING, "Why there is no citation, or what is odd.", True),
        Field(
            "erratum",
            STRING,
            "Correction from primary sources; empty unless the paper is "
            "wrong here. The paper's own date and words are kept.",
            True,
        ),
        Field("erratum_event_date", DATE, "The event's date per the primary sources.", True),
        Field("erratum_source_urls", LIST, "URLs of the primary sources of the correction."),
    ),  # fmt: skip
    primary_key=("event_id",),
)

REFERENCES = TableSpec(
    name="references",
    description="The paper's reference list; citation_keys elsewhere point here.",
    fields=(
        Field("reference_key", STRING, "Stable key."),
        Field("list_position", INT, "Position in the paper's list."),
        Field("authors", STRING, "Authors or institution as printed."),
        Field("year", INT, "Year as printed."),
        Field("title", STRING, "Title."),
        Field("container", STRING, "Journal, book or publisher.", True),
        Field("url", STRING, "URL as printed.", True),
        Field("accessed_date", DATE, "When the paper's authors accessed the URL.", True),
        Field("in_text_citation", STRING, "How the running text cites it.", True),
        Field("notes", STRING, "Discrepancies noticed while transcribing.", True),
    ),  # fmt: skip
    primary_key=("reference_key",),
)

COUNTRIES = TableSpec(
    name="countries",
    description="Countries named by the data: ISO codes, names, and what the paper prints.",
    fields=(
        Field(
            "country_iso3", STRING, "ISO 3166-1 alpha-3 (Kosovo: user-assigned XKX).", checks=ISO3
        ),
        Field("country_iso2", STRING, "ISO 3166-1 alpha-2 (Kosovo: user-assigned XK)."),
        Field("country_name", STRING, "English short name."),
        Field("code_status", STRING, "iso_3166_1 or user_assigned."),
        Field("is_central_asia", BOOL, "One of the five Central Asian states."),
        Field(
            "in_paper_region_list",
            BOOL,
            "Listed in Table 2's note as one of the 14 countries of the region.",
        ),
        Field("paper_names", LIST, "Names the paper prints for it."),
        Field("paper_codes", LIST, "Codes the paper prints for it (Figure 1's labels)."),
    ),  # fmt: skip
    primary_key=("country_iso3",),
)

MARTS: tuple[TableSpec, ...] = (INDICATORS, FUNDING, TIMELINE, REFERENCES, COUNTRIES)
MARTS_BY_NAME = {m.name: m for m in MARTS}
