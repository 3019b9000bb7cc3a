"""Checks on marts beyond their specs: promises that span rows or tables, each a SQL query over
the build that returns the rows breaking it, turned into Problems. The models step runs them
as blocking checks of the mart they are keyed by.

Belongs here: those checks, keyed by mart and check name. Stays out: per-row rules, which
belong in the mart's spec (sql/marts/<name>.yml).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb

from pipeline.transforms.problems import Problem

INDICATOR_KEY = "concat_ws('/', source_id, country_iso3, edition_year, factor_code, scope)"
# The key of each mart an erratum can point at, as errata write it.
ERRATA_TARGETS = {
    "timeline": "SELECT event_id FROM marts.timeline",
    "funding": "SELECT claim_id FROM marts.funding",
    "references": 'SELECT reference_key FROM marts."references"',
    "paper_claims": "SELECT claim_id FROM marts.paper_claims",
    "indicators": f"SELECT {INDICATOR_KEY} FROM marts.indicators WHERE source_id LIKE 'paper_%'",  # noqa: S608
}


@dataclass(frozen=True)
class MartCheck:
    description: str
    run: Callable[[duckdb.DuckDBPyConnection], list[Problem]]


def unexplained_mismatches(con: duckdb.DuckDBPyConnection) -> list[Problem]:
    """A paper cell that disagrees with its primary source, with no erratum or acknowledged
    disagreement for it in raw/reference/errata.csv."""
    rows = con.execute(
        f"SELECT {INDICATOR_KEY}, source_locator, verification_note FROM marts.indicators "  # noqa: S608
        "WHERE verification = 'mismatch' AND erratum IS NULL ORDER BY 1"
    ).fetchall()
    return [
        Problem(
            "marts.indicators",
            None,
            "verification",
            "a paper cell that disagrees with its primary source is explained",
            f"{locator}: {note}",
            row=key,
            fix="correct the transcription in raw/paper/, or add an erratum or "
            f"acknowledged_disagreement to raw/reference/errata.csv with target_mart "
            f"'indicators' and target_key '{key}'",
        )
        for key, locator, note in rows
    ]


def errata_without_a_target(con: duckdb.DuckDBPyConnection) -> list[Problem]:
    """Every erratum points at a row that exists in its target mart."""
    known = " UNION ALL ".join(
        f"SELECT '{mart}' AS mart, CAST(k AS VARCHAR) AS key FROM ({query}) AS t(k)"  # noqa: S608
        for mart, query in ERRATA_TARGETS.items()
    )
    rows = con.execute(
        f"WITH known AS ({known}) SELECT erratum_id, target_mart, target_key "  # noqa: S608
        "FROM marts.errata WHERE target_mart IN (SELECT DISTINCT mart FROM known) "
        "AND (target_mart, target_key) NOT IN (SELECT mart, key FROM known) ORDER BY 1"
    ).fetchall()
    return [
        Problem(
            "raw/reference/errata.csv",
            None,
            "target_key",
            "an erratum points at a row of its target mart",
            f"{mart}: {key}",
            row=erratum_id,
        )
        for erratum_id, mart, key in rows
    ]


def unexplained_rank_differences(con: duckdb.DuckDBPyConnection) -> list[Problem]:
    """A rank WJP publishes that the computed rule does not reproduce, beyond the order of a
    4-decimal tie: the rank rule, or the snapshot, is not what the documentation says."""
    rows = con.execute(
        "SELECT concat_ws('/', country_iso3, edition_year, measure_code, scope), explanation "
        "FROM marts.wjp_rank_comparison WHERE agreement = 'differs' ORDER BY 1"
    ).fetchall()
    return [
        Problem(
            "marts.wjp_rank_comparison",
            None,
            "agreement",
            "a computed WJP rank equals the published one, up to the order of a 4-decimal tie",
            explanation,
            row=key,
            fix="check the rank rule in sql/staging/stg_wjp__ranks.sql against WJP's "
            "methodology, or the snapshot's ranks against WJP's site",
        )
        for key, explanation in rows
    ]


def verified_references_with_errata(con: duckdb.DuckDBPyConnection) -> list[Problem]:
    """A reference checked as verified that an erratum corrects (raw/reference/
    reference_checks.csv against errata.csv): the two files disagree."""
    rows = con.execute(
        'SELECT reference_key, erratum FROM marts."references" '
        "WHERE check_status = 'verified' AND erratum IS NOT NULL ORDER BY 1"
    ).fetchall()
    return [
        Problem(
            "raw/reference/reference_checks.csv",
            None,
            "check_status",
            "a reference that carries an erratum is not verified",
            erratum,
            row=key,
            fix="set its check_status to discrepancy (and say why in its note), or remove the "
            "erratum from raw/reference/errata.csv if it is wrong",
        )
        for key, erratum in rows
    ]


MART_CHECKS: dict[str, dict[str, MartCheck]] = {
    "indicators": {
        "every_mismatch_is_explained": MartCheck(
            "A paper cell that disagrees with WJP blocks the publish unless an erratum or an "
            "acknowledged disagreement explains it.",
            unexplained_mismatches,
        )
    },
    "wjp_rank_comparison": {
        "every_rank_difference_is_a_tie": MartCheck(
            "A computed rank that differs from WJP's published one blocks the publish unless the "
            "difference is only the order of a 4-decimal tie.",
            unexplained_rank_differences,
        )
    },
    "references": {
        "no_verified_reference_has_an_erratum": MartCheck(
            "A reference checked as verified that an erratum corrects blocks the publish: "
            "reference_checks.csv and errata.csv must agree.",
            verified_references_with_errata,
        )
    },
    "errata": {
        "every_erratum_has_a_target": MartCheck(
            "Every erratum points at an existing row of its target mart.", errata_without_a_target
        )
    },
}
