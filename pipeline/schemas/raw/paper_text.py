"""The paper's running text, transcribed: every dated event it mentions (timeline_events) and its
reference list (references), both in raw/paper/.

Belongs here: those two specs. Stays out: the paper's tables (paper.py), its claims
(claims.py) and the checks of its references against public records (errata.py).
"""

from __future__ import annotations

from pipeline.schemas import row_rules as rr
from pipeline.schemas import rules as r
from pipeline.schemas.fields import ISO3, SLUG, code, shared, text, url
from pipeline.schemas.raw.table import ForeignKey, RawTable, integer, position
from pipeline.schemas.spec import DATE, Field, TableSpec

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
            integer(
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
            position("list_position", "1-based position of the entry in the reference list."),
            text(
                "authors",
                "Authors as printed (the bold lead of the entry), without markdown; for an entry "
                "without authors, the document's title.",
            ),
            integer(
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
