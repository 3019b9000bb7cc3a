"""The README's figures about the paper (the tables verified, the claims, the errata, the
reference checks), generated from the marts so that they cannot drift: `counts` queries them,
`render` words them as the README's bullets. `python -m pipeline.docs_tables --write` writes them
between the README's markers, with the README's other generated blocks (pipeline/docs_tables.py).

Belongs here: the counts and their wording. Stays out: the rest of the README, and the report
(pipeline/transforms/report/), which reads the marts itself.
"""

from __future__ import annotations

import textwrap

import duckdb

from pipeline.schemas.fields import CHECK_STATUSES, ERRATUM_CONFIDENCES, SCOPES
from pipeline.transforms.report.inputs import verdicts

VERDICTS = verdicts()  # marts.paper_claims' spec: each is counted, a new one too


def counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The figures, each one query over the marts."""

    def one(sql: str) -> int:
        ((value,),) = con.execute(sql).fetchall()
        return int(value or 0)

    figures = {
        "claims": one("SELECT count(*) FROM marts.paper_claims"),
        "robust": one(
            "SELECT count(*) FROM marts.paper_claims "
            "WHERE verdict_robust AND verdict <> 'not_checkable'"
        ),
        "checkable": one(
            "SELECT count(*) FROM marts.paper_claims WHERE verdict <> 'not_checkable'"
        ),
        "errata": one("SELECT count(*) FROM marts.errata WHERE kind = 'erratum'"),
        "public_records": one(
            "SELECT count(*) FROM marts.paper_claims WHERE rule_kind = 'public_record'"
        ),
        "citations": one("SELECT count(*) FROM marts.errata WHERE kind = 'citation'"),
        "reference_errata": one(
            "SELECT count(*) FROM marts.errata "
            "WHERE kind = 'erratum' AND target_mart = 'references'"
        ),
    }
    for verdict in VERDICTS:
        figures[verdict] = one(
            f"SELECT count(*) FROM marts.paper_claims WHERE verdict = '{verdict}'"  # noqa: S608
        )
    for confidence in ERRATUM_CONFIDENCES:
        figures[confidence] = one(
            "SELECT count(*) FROM marts.errata "  # noqa: S608
            f"WHERE kind = 'erratum' AND confidence = '{confidence}'"
        )
    for status in CHECK_STATUSES:
        figures[status] = one(
            f"SELECT count(*) FROM marts.\"references\" WHERE check_status = '{status}'"  # noqa: S608
        )
    for scope in SCOPES:  # the paper's cells, of both tables, by scope and status
        cells = f"SELECT sum(cells) FROM marts.paper_verification WHERE scope = '{scope}'"  # noqa: S608
        figures[f"{scope}_cells"] = one(cells)
        for status in ("verified", "unverifiable"):
            figures[f"{scope}_{status}"] = one(f"{cells} AND verification = '{status}'")
    figures["mismatches"] = one(
        "SELECT coalesce(sum(cells), 0) FROM marts.paper_verification WHERE verification = "
        "'mismatch'"
    )
    return figures


TABLES = (
    "**The tables.** With the pinned WJP file, {global_verified} of {global_cells} global and "
    "{region_verified} of {region_cells} regional cells of Tables 1 and 2 are verified; "
    "{income_group_unverifiable} of {income_group_cells} income-group cells are unverifiable "
    "(WJP's file holds only 2025 income groups); {mismatches} mismatches."
)


CLAIMS = (
    "**The claims.** {claims} claims, sentences of the paper each with its place in the paper "
    "(`raw/paper/claims.csv`; every sentence citing WJP's data among them): {supported} "
    "supported, {partly_supported} partly "
    "supported, {contradicted} contradicted, {not_checkable} not checkable (each with the "
    "reason). Each verdict is computed by a rule stated before looking at the data, under the "
    "stated reading and under every variant stated with it (`raw/paper/claim_variants.csv`: other "
    "years or windows, another measure, changes by point estimate instead of beyond V-Dem's "
    "interval); {robust} of the {checkable} checked verdicts are robust to all of them, and a "
    "claim that is not robust is at most partly supported (`verdict_robust`, `flipped_by`). V-Dem "
    "checks the claims about the region's regimes, WJP those about its scores, the errata the "
    "dated and sourced claims, and public records with their URLs ({public_records} claims: "
    "`raw/reference/claim_records.csv`, each record confirming, partly confirming or "
    "contradicting the part of the sentence it covers) the statements about EU institutions and "
    "documents, events and the cited literature. A verdict is never edited: a test changes the "
    "data in a fixture for each rule and sees the verdict follow "
    "(`tests/marts/test_paper_claims.py`)."
)
ERRATA = (
    "**The errata.** {errata} errors, {confirmed} confirmed, {probable} probable and {suspected} "
    "suspected, each with public sources: the 30th anniversary of EU–Kazakhstan relations fell "
    "in 2023, not 2021; the €1 billion is all bilateral and regional assistance, not support for "
    "rights and freedoms; the ECHR and the European Social Charter are Council of Europe "
    "treaties, signed in 1950 and 1961 (the paper's 1953 and 1965 are entry into force); Tokayev "
    "won the election of 9 June 2019, not of 20 March 2019; the Cooperation Council met in June "
    "2022 (March was the Cooperation Committee); and {reference_errata} errata on the reference "
    "list (authors, years, containers, titles), from checking it against publishers' records "
    "(`raw/reference/reference_checks.csv`: {verified} verified, {discrepancy} discrepancies, "
    "{not_checked} not checked, each with why; a reference with an erratum is never verified). "
    "{citations} citation errata say what a cited work is about where it does not support the "
    "sentence citing it. What we believe but cannot source is `suspected`, with the reason."
)


def render(figures: dict[str, int]) -> str:
    """The README's bullets: one per paragraph, wrapped at 100."""
    return "\n".join(
        textwrap.fill(
            text.format(**figures),
            width=100,
            initial_indent="- ",
            subsequent_indent="  ",
            break_on_hyphens=False,
            break_long_words=False,
        )
        for text in (TABLES, CLAIMS, ERRATA)
    )
