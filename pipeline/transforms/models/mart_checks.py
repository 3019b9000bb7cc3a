"""Checks on marts beyond their specs: promises that span rows or tables, each a SQL query over
the build that returns the rows breaking it, turned into Problems. The models step runs them
as blocking checks of the mart they are keyed by.

Belongs here: those checks, keyed by mart and check name. Stays out: per-row rules, which
belong in the mart's spec (sql/marts/<name>.yml).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipeline.schemas.fields import ERRATA_TARGETS
from pipeline.schemas.model_specs import load_model_spec
from pipeline.schemas.spec import TableSpec, qualified, quote_ident
from pipeline.transforms.problems import Problem

if TYPE_CHECKING:
    from pipeline.transforms.models.discover import Model


@dataclass(frozen=True)
class MartCheck:
    description: str
    run: Callable[[duckdb.DuckDBPyConnection, Model], list[Problem]]  # (build, the mart checked)


def row_key(spec: TableSpec) -> str:
    """SQL for a row's key as errata write it (target_key): the values of the mart's declared
    primary key, in its order, '/'-joined."""
    return f"concat_ws('/', {', '.join(quote_ident(c) for c in spec.primary_key)})"


def target_specs(marts_dir: Path) -> dict[str, TableSpec]:
    """The spec of each mart an erratum can point at, from its YAML beside its SQL."""
    specs = {mart: load_model_spec(marts_dir / f"{mart}.yml", mart)[0] for mart in ERRATA_TARGETS}
    return {mart: spec for mart, spec in specs.items() if spec is not None}


def unexplained_mismatches(con: duckdb.DuckDBPyConnection, model: Model) -> list[Problem]:
    """A paper cell that disagrees with its primary source, with no erratum or acknowledged
    disagreement for it in raw/reference/errata.csv."""
    rows = con.execute(
        f"SELECT {row_key(model.spec)}, source_locator, verification_note FROM {model.quoted} "  # noqa: S608
        "WHERE verification = 'mismatch' AND erratum IS NULL ORDER BY 1"
    ).fetchall()
    return [
        Problem(
            model.relation,
            None,
            "verification",
            "a paper cell that disagrees with its primary source is explained",
            f"{locator}: {note}",
            row=key,
            fix="correct the transcription in raw/paper/, or add an erratum or "
            f"acknowledged_disagreement to raw/reference/errata.csv with target_mart "
            f"'{model.name}' and target_key '{key}'",
        )
        for key, locator, note in rows
    ]


def errata_without_a_target(con: duckdb.DuckDBPyConnection, model: Model) -> list[Problem]:
    """Every erratum points at a row of its target mart by that mart's primary key, and the
    row carries it (its `erratum`): a key no row has, or a row that takes no errata (a WJP
    row of marts.indicators), is refused."""
    specs = target_specs(model.path.parent)
    known = " UNION ALL ".join(
        f"SELECT '{mart}' AS mart, {row_key(spec)} AS key FROM {qualified('marts', mart)} "  # noqa: S608
        "WHERE erratum IS NOT NULL"
        for mart, spec in specs.items()
    )
    rows = con.execute(
        f"WITH known AS ({known}) SELECT erratum_id, target_mart, target_key "  # noqa: S608
        f"FROM {model.quoted} WHERE list_contains(?, target_mart) "
        "AND (target_mart, target_key) NOT IN (SELECT mart, key FROM known) ORDER BY 1",
        [list(specs)],
    ).fetchall()
    return [
        Problem(
            "raw/reference/errata.csv",
            None,
            "target_key",
            "an erratum points at a row of its target mart, by the mart's primary key",
            f"{mart}: {key}",
            row=erratum_id,
        )
        for erratum_id, mart, key in rows
    ]


def unexplained_rank_differences(con: duckdb.DuckDBPyConnection, model: Model) -> list[Problem]:
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


def verified_references_with_errata(con: duckdb.DuckDBPyConnection, model: Model) -> list[Problem]:
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
            "Every erratum points at an existing row of its target mart, by that mart's primary "
            "key, and the row carries it.",
            errata_without_a_target,
        )
    },
}
