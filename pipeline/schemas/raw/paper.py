"""The paper's transcribed tables and figure, one row per printed cell or label: Table 1 (WJP
ranks of the Central Asian states), Table 2 (Kazakhstan's ranks by scope) with the region its
note lists, and Figure 1's bar labels (raw/paper/).

Belongs here: those specs and what only they share (a rank within the number ranked, the
edition year, the citation of the paper's source). Stays out: the paper's running text
(paper_text.py) and its claims (claims.py).
"""

from __future__ import annotations

from pipeline.schemas import row_rules as rr
from pipeline.schemas import rules as r
from pipeline.schemas.fields import code, shared, text
from pipeline.schemas.raw.table import ForeignKey, RawTable, integer, position
from pipeline.schemas.spec import TableSpec

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
            position("table_row", "Row of the cell in Table 1 (1 = first data row)."),
            position("table_column", "Column of the cell in Table 1 (1 = first country)."),
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
            position(
                "previous_rank", "Rank printed in parentheses for the previous edition.", True
            ),
            integer(
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
            position("table_row", "Row of the cell in Table 2."),
            position("table_column", "Column of the cell in Table 2."),
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
            position("list_position", "Position in the note's list."),
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
            position("bar_position", "Order of the label in the caption."),
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
