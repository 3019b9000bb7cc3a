"""The few row rules no generic kind expresses, each written once: a narwhals expression over
the table's columns, true where the row obeys it (NULL, where it cannot be decided, obeys it),
which DuckDB runs like every other rule (transforms/validation.py).

Belongs here: those expressions only. Every other rule is declared as data (schemas/rules.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the rules are expressions; importing this module needs no narwhals
    import narwhals.stable.v1 as nw


def _nw():
    import narwhals.stable.v1 as nw

    return nw


def date_matches_precision() -> nw.Expr:
    """Month precision means day 01; year precision means 01-01."""
    col = _nw().col
    date, precision = col("event_date"), col("date_precision")
    month_ok = (precision != "month") | (date.dt.day() == 1)
    year_ok = (precision != "year") | ((date.dt.day() == 1) & (date.dt.month() == 1))
    return month_ok & year_ok


def verified_iff_paper() -> nw.Expr:
    """Paper cells carry a verification status and note; source rows carry none."""
    col = _nw().col
    has_status = ~col("verification").is_null() & ~col("verification_note").is_null()
    return col("source_id").str.starts_with("paper_") == has_status


def wjp_score_in_range() -> nw.Expr:
    col = _nw().col
    return (col("source_id") != "wjp_roli") | col("score").is_between(0, 1).fill_null(False)


def sourced_unless_suspected() -> nw.Expr:
    """A suspected erratum has notes and no source; every other erratum has a source."""
    col = _nw().col
    suspected = col("confidence") == "suspected"
    sourced = ~col("source_urls").is_null()
    return (suspected & ~sourced & ~col("notes").is_null()) | (~suspected & sourced)


def record_unless_not_checked() -> nw.Expr:
    col = _nw().col
    return (col("check_status") == "not_checked") == col("record_urls").is_null()


def regime_type_labelled() -> nw.Expr:
    """V-Dem's regime-type rows carry the name of their code; no other row has a label."""
    col = _nw().col
    is_regime = (col("source_id") == "vdem_ert") & (col("factor_code") == "v2x_regime")
    return is_regime.fill_null(False) == ~col("value_label").is_null()


CUSTOM_ROW_RULES = {
    "date_matches_precision": date_matches_precision,
    "verified_iff_paper": verified_iff_paper,
    "wjp_score_in_range": wjp_score_in_range,
    "sourced_unless_suspected": sourced_unless_suspected,
    "record_unless_not_checked": record_unless_not_checked,
    "regime_type_labelled": regime_type_labelled,
}
