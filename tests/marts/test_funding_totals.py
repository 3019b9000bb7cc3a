"""marts.funding_totals: one figure per recipient and period, never a sum of overlapping claims,
with the claims left out and why."""

from __future__ import annotations

from decimal import Decimal

from tests.marts.shared import funding

CONFIDENCE_ORDER = ["official", "paper", "press"]  # the view's stated preference


SCOPE_ORDER = ["stated_total", "not_stated", "subtotal"]  # then a stated total before a part


def test_each_total_is_one_claim_never_a_sum(built):
    claims = funding(built)
    totals = built.query(
        "SELECT recipient_code, total_eur, claim_id_used, claim_ids_left_out, part_of_totals_of "
        "FROM marts.funding_totals"
    )
    recipients = {row["recipient"] for row in claims.values()}
    assert sorted(code for code, *_ in totals) == sorted(recipients)
    for code, total, used, left_out, part_of in totals:
        mine = {c for c, row in claims.items() if row["recipient"] == code}
        if total is None:
            assert used is None and all(claims[c]["amount"] is None for c in mine)
            continue
        assert total == claims[used]["amount"]  # one claim's amount, not a sum
        assert set(left_out) == mine - {used}
        known = [c for c in mine if claims[c]["amount"] is not None]
        best = min(CONFIDENCE_ORDER.index(claims[c]["confidence"]) for c in known)
        assert CONFIDENCE_ORDER.index(claims[used]["confidence"]) == best
        same_confidence = [
            c for c in known if CONFIDENCE_ORDER.index(claims[c]["confidence"]) == best
        ]
        widest_scope = min(SCOPE_ORDER.index(claims[c]["scope"]) for c in same_confidence)
        assert SCOPE_ORDER.index(claims[used]["scope"]) == widest_scope
        same_scope = [
            c for c in same_confidence if SCOPE_ORDER.index(claims[c]["scope"]) == widest_scope
        ]
        assert total == max(claims[c]["amount"] for c in same_scope)  # the widest envelope
        assert part_of == ([] if code == "CENTRAL_ASIA" else ["CENTRAL_ASIA"])
    by_code = {code: (total, used) for code, total, used, *_ in totals}
    # the Commission's stated overall total, not the EEAS's subtotal "for all three sectors"
    assert by_code["KGZ"] == (Decimal("184000000.00"), "kgz_overall_ec")
    assert by_code["CENTRAL_ASIA"] == (Decimal("1100000000.00"), "ca_global_envelope_eeas")


def test_a_summed_total_would_double_count_which_the_view_avoids(built):
    ((naive,),) = built.query("SELECT sum(amount_eur) FROM marts.funding")
    ((safe,),) = built.query(
        "SELECT total_eur FROM marts.funding_totals WHERE recipient_code = 'CENTRAL_ASIA'"
    )
    assert naive > 2 * safe  # the double count the issue found: about 3.46bn for 1.1bn


def test_a_subtotal_is_left_out_as_a_subtotal(built):
    ((reasons,),) = built.query(
        "SELECT left_out_reasons FROM marts.funding_totals WHERE recipient_code = 'KGZ'"
    )
    assert "kgz_bilateral_eeas: a subtotal (" in reasons
    assert "inside the chosen stated total" in reasons
