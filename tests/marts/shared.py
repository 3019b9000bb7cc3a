"""Helpers that the tests of more than one mart use: a crafted WJP snapshot pinned, served and
built on an in-memory DuckDB (marts.indicators, marts.wjp_rank_comparison,
marts.paper_verification), and the claims of marts.funding (marts.funding_totals too)."""

from __future__ import annotations

from pathlib import Path

from tests.harness import (
    Steps,
    copy_raw,
    pin_snapshot,
    run_steps,
)
from tests.wjp_server import serve

# The marts these tests read: each build reads and builds only what they are built from.
MARTS = ("indicators", "wjp_rank_comparison", "paper_verification")


def steps_with_snapshot(base: Path, body: bytes, raw_dir: Path | None = None) -> Steps:
    """Sources and models on an in-memory DuckDB, with `body` pinned and served locally."""
    raw_dir = raw_dir or copy_raw(base)
    pin_snapshot(raw_dir, body)
    with serve({"/roli.json": (200, body, {})}) as url:
        steps = run_steps(raw_dir, base, {"wjp_roli": f"{url}/roli.json"}, marts=MARTS)
    # A crafted snapshot may disagree with the paper: that is refused until explained.
    assert set(steps.failed()) <= {("mart_indicators", "every_mismatch_is_explained")}
    return steps


def verification_counts(run) -> list[tuple]:
    return run.query("SELECT * FROM marts.paper_verification")


def funding(run) -> dict[str, dict]:
    rows = run.query(
        "SELECT claim_id, recipient_code, instrument_covers, amount_eur, confidence, "
        "overlaps_claim_ids, amount_scope FROM marts.funding"
    )
    keys = ("recipient", "covers", "amount", "confidence", "overlaps", "scope")
    return {claim: dict(zip(keys, rest, strict=True)) for claim, *rest in rows}
