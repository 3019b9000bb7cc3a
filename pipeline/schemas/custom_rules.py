"""The few row rules no generic kind expresses, each as a hand-written pair: a pandas function
(True where the row obeys) and the same rule as a SQL boolean. tests/test_rules.py checks each
pair gives the same verdict on the same rows.

Belongs here: those pairs only. Every other rule is declared as data (schemas/rules.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the rules run on frames; importing this module needs no pandas
    import pandas as pd


def _date_matches_precision(df: pd.DataFrame) -> pd.Series:
    """Month precision means day 01; year precision means 01-01."""
    date = df["event_date"].astype(str)
    precision = df["date_precision"]
    month_ok = (precision != "month") | date.str.endswith("-01")
    year_ok = (precision != "year") | date.str.endswith("-01-01")
    return df["event_date"].isna() | (month_ok & year_ok)


DATE_MATCHES_PRECISION_SQL = """
("date_precision" <> 'month' OR ends_with(CAST("event_date" AS VARCHAR), '-01'))
AND ("date_precision" <> 'year' OR ends_with(CAST("event_date" AS VARCHAR), '-01-01'))"""


def _verified_iff_paper(df: pd.DataFrame) -> pd.Series:
    """Paper cells carry a verification status and note; source rows carry none."""
    is_paper = df["source_id"].astype(str).str.startswith("paper_")
    has_status = df["verification"].notna() & df["verification_note"].notna()
    return is_paper == has_status


VERIFIED_IFF_PAPER_SQL = """starts_with("source_id", 'paper_')
= ("verification" IS NOT NULL AND "verification_note" IS NOT NULL)"""


def _wjp_score_in_range(df: pd.DataFrame) -> pd.Series:
    return (df["source_id"] != "wjp_roli") | df["score"].between(0, 1)


WJP_SCORE_IN_RANGE_SQL = """"source_id" <> 'wjp_roli' OR coalesce("score" BETWEEN 0 AND 1, FALSE)"""


def _sourced_unless_suspected(df: pd.DataFrame) -> pd.Series:
    suspected = df["confidence"] == "suspected"
    return (suspected & df["source_urls"].isna() & df["notes"].notna()) | (
        ~suspected & df["source_urls"].notna()
    )


SOURCED_UNLESS_SUSPECTED_SQL = """CASE WHEN "confidence" = 'suspected'
THEN "source_urls" IS NULL AND "notes" IS NOT NULL ELSE "source_urls" IS NOT NULL END"""


def _record_unless_not_checked(df: pd.DataFrame) -> pd.Series:
    return (df["check_status"] == "not_checked") == df["record_urls"].isna()


RECORD_UNLESS_NOT_CHECKED_SQL = """("check_status" = 'not_checked') = ("record_urls" IS NULL)"""


def _regime_type_labelled(df: pd.DataFrame) -> pd.Series:
    """V-Dem's regime-type rows carry the name of their code; no other row has a label."""
    is_regime = (df["source_id"] == "vdem_ert") & (df["factor_code"] == "v2x_regime")
    return is_regime == df["value_label"].notna()


REGIME_TYPE_LABELLED_SQL = """coalesce("source_id" = 'vdem_ert' AND "factor_code" = 'v2x_regime',
FALSE) = ("value_label" IS NOT NULL)"""

CUSTOM_ROW_RULES = {
    "date_matches_precision": (_date_matches_precision, DATE_MATCHES_PRECISION_SQL),
    "verified_iff_paper": (_verified_iff_paper, VERIFIED_IFF_PAPER_SQL),
    "wjp_score_in_range": (_wjp_score_in_range, WJP_SCORE_IN_RANGE_SQL),
    "sourced_unless_suspected": (_sourced_unless_suspected, SOURCED_UNLESS_SUSPECTED_SQL),
    "record_unless_not_checked": (_record_unless_not_checked, RECORD_UNLESS_NOT_CHECKED_SQL),
    "regime_type_labelled": (_regime_type_labelled, REGIME_TYPE_LABELLED_SQL),
}
