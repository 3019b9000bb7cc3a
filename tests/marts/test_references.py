"""marts.references: reference_checks.csv and errata.csv agree (the check that no verified
reference carries an erratum)."""

from __future__ import annotations

from tests.harness import copy_raw, edit_csv, run_steps


def test_a_verified_reference_with_an_erratum_is_refused(tmp_path):
    """reference_checks.csv and errata.csv must agree: a reference an erratum corrects cannot be
    verified (the check blocks the publish and names the reference and the erratum)."""
    raw_dir = copy_raw(tmp_path)
    edit_csv(
        raw_dir / "reference/reference_checks.csv",
        "chaney2022b,discrepancy,",
        "chaney2022b,verified,",
    )
    failed = run_steps(raw_dir, tmp_path, marts=("references",)).failed()
    ((key, messages),) = failed.items()
    assert key[1] == "no_verified_reference_has_an_erratum"
    assert "chaney2022b" in messages and "Volume 42 of Central Asian Survey" in messages
