"""marts.funding: each claim lists the claims it overlaps (derived from
raw/reference/funding_instruments.csv and the recipients' nesting), both Kyrgyz claims kept and
unknown amounts kept with a reason."""

from __future__ import annotations

from tests.harness import copy_raw, edit_csv, run_steps
from tests.marts.shared import funding


def test_overlap_is_symmetric_and_follows_what_instruments_cover(built):
    claims = funding(built)
    for claim, row in claims.items():
        for other in row["overlaps"]:
            assert claim in claims[other]["overlaps"], (claim, other)
    # a bilateral allocation and the regional programme exclude each other by definition
    assert "ca_regional_programme_eeas" not in claims["kgz_bilateral_eeas"]["overlaps"]
    # every claim is inside the envelope a claim covering 'all' of Central Asia states
    envelope = claims["ca_global_envelope_eeas"]
    assert envelope["covers"] == "all"
    assert set(envelope["overlaps"]) == set(claims) - {"ca_global_envelope_eeas"}
    # two countries' allocations never overlap
    assert "tjk_bilateral_eeas" not in claims["kgz_bilateral_eeas"]["overlaps"]


def test_erasmus_is_scoped_as_its_source_states(built):
    """The EEAS page that gives Erasmus+'s EUR 115 million says it is financed from regional
    funds: it excludes the bilateral allocations, and may overlap the regional programme."""
    claims = funding(built)
    overlaps = claims["ca_erasmus_plus_eeas"]["overlaps"]
    assert claims["ca_erasmus_plus_eeas"]["covers"] == "regional"
    assert "kgz_bilateral_eeas" not in overlaps and "tjk_bilateral_eeas" not in overlaps
    assert {"ca_global_envelope_eeas", "ca_regional_programme_eeas"} <= set(overlaps)


def test_what_an_instrument_covers_decides_the_overlaps(tmp_path):
    raw_dir = copy_raw(tmp_path)
    edit_csv(
        raw_dir / "reference" / "funding_instruments.csv",
        "Erasmus+ for Central Asia,regional,",
        "Erasmus+ for Central Asia,unknown,",
    )
    claims = funding(run_steps(raw_dir, tmp_path))
    overlaps = claims["ca_erasmus_plus_eeas"]["overlaps"]
    assert "kgz_bilateral_eeas" in overlaps  # unknown now: it may overlap a bilateral one
    assert "ca_global_envelope_eeas" in overlaps


def test_funding_keeps_both_kyrgyz_claims_and_unknown_amounts_with_a_reason(built):
    rows = built.query(
        "SELECT claim_id, amount_eur, confidence, is_disputed, source_url FROM marts.funding "
        "WHERE recipient_code = 'KGZ' AND instrument = 'bilateral' ORDER BY amount_eur"
    )
    assert [(float(r[1]), r[2], r[3]) for r in rows] == [
        (174_000_000.0, "official", True),
        (184_000_000.0, "press", True),
    ]
    unknown = built.query(
        "SELECT amount_qualifier, amount_missing_reason FROM marts.funding WHERE amount_eur IS NULL"
    )
    assert {"not_eligible", "unknown", "not_transcribed"} <= {r[0] for r in unknown}
    assert all(r[1] for r in unknown)
    figure = built.query(
        "SELECT recipient_code FROM marts.funding WHERE claim_id LIKE 'paper_figure1_%' "
        "ORDER BY claim_id"
    )
    # TD and TR are the paper's labels for Tajikistan and Turkmenistan, not Chad and Turkey.
    assert [r[0] for r in figure] == ["KAZ", "TJK", "TKM", "UZB"]
