"""The paper checked against public primary sources: where it disagrees with them (errata, keyed
to the row of the mart it stands in) and its reference list checked against publishers' and
indexing records (reference_checks), both in raw/reference/.

Belongs here: those specs. Stays out: the marts the errata are keyed to (their specs under
sql/) and the claims' own records (claims.py).
"""

from __future__ import annotations

from pipeline.schemas import row_rules as rr
from pipeline.schemas import rules as r
from pipeline.schemas.fields import DATE_PRECISIONS, code, shared, text
from pipeline.schemas.raw.table import ForeignKey, RawTable
from pipeline.schemas.spec import DATE, STRING, Field, TableSpec

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
