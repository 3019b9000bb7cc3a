"""marts.wjp_rank_comparison: every rank WJP publishes for 2025 beside the computed one, each
difference a tie explained row by row, and a difference that is not a tie blocks the publish."""

from __future__ import annotations

import json

from pipeline.transforms.sources.wjp import measure_code
from tests.harness import (
    copy_raw,
    pin_snapshot,
    run_steps,
)
from tests.marts.shared import MARTS, steps_with_snapshot
from tests.wjp_server import all_factors, country, serve, snapshot

# --- WJP's real snapshot ----------------------------------------------------------------------


def test_every_published_2025_rank_is_kept_and_each_difference_is_a_tie(built, wjp_file):
    """WJP's own 2025 ranks (overall, F1..F8; global, region, income group) are in
    marts.wjp_rank_comparison beside the computed ones, which are competition ranks on the
    4-decimal scores of the scope (recomputed here from the file); where they differ, it is
    only the order WJP gives countries tied at 4 decimals, and the row names the tie."""
    document = json.loads(wjp_file)
    scopes = {"global": "global", "region": "regional", "income_group": "income"}
    scope_of = {"global": lambda c: "all", "region": lambda c: c["region"]}
    scope_of["income_group"] = lambda c: c["income"]
    mart = {
        (code, measure, scope): (published, n, computed, agreement, tied, explanation)
        for code, measure, scope, published, n, computed, agreement, tied, explanation in (
            built.query(
                "SELECT country_iso3, measure_code, scope, published_rank, published_n_ranked, "
                "computed_rank, agreement, tied_with, explanation FROM marts.wjp_rank_comparison"
            )
        )
    }
    expected_keys, ties = set(), 0
    for record in document["countries"]:
        for key in ("overall", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8"):
            published = record if key == "overall" else record["factorRanks"][key]
            for scope, prefix in scopes.items():
                row_key = (record["code"], measure_code(key), scope)
                expected_keys.add(row_key)
                rank, n, computed, agreement, tied, explanation = mart[row_key]
                assert (rank, n) == (published[f"{prefix}Rank"], published[f"{prefix}Total"])
                peers = [
                    c
                    for c in document["countries"]
                    if scope_of[scope](c) == scope_of[scope](record)
                ]
                score = round(record[key], 4)
                same_score = sorted(
                    c["code"] for c in peers if c is not record and round(c[key], 4) == score
                )
                assert tied == same_score, row_key
                assert computed == 1 + sum(round(c[key], 4) > score for c in peers), row_key
                if computed == rank:
                    assert (agreement, explanation) == ("same", None), row_key
                else:
                    ties += 1
                    assert agreement == "tie_order", row_key
                    assert computed < rank <= computed + len(tied), row_key
                    assert ", ".join(tied) in explanation and f"{rank}." in explanation
    assert set(mart) == expected_keys
    assert ties > 0, "the pinned file has ranks WJP orders within a tie: the test must see some"


def with_overall_ranks(record: dict, rank: int, total: int) -> dict:
    """A country record with WJP's published overall rank, the same in each scope."""
    scopes = ("global", "regional", "income")
    return record | {f"{s}Rank": rank for s in scopes} | {f"{s}Total": total for s in scopes}


def ranked_snapshot(ranks: dict[str, int]) -> bytes:
    """Three countries in one region and income group; NOR and SWE tie at 0.6000."""
    scores = {"DNK": 0.7, "NOR": 0.60001, "SWE": 0.60004}
    return snapshot(
        [
            with_overall_ranks(
                country(code, code.title(), "North", "High", {2025: all_factors(score)}),
                ranks[code],
                3,
            )
            for code, score in scores.items()
        ]
    )


def test_wjps_order_within_a_tie_is_explained_row_by_row(tmp_path):
    steps = steps_with_snapshot(tmp_path, ranked_snapshot({"DNK": 1, "NOR": 3, "SWE": 2}))
    rows = steps.query(
        "SELECT country_iso3, computed_rank, published_rank, agreement, explanation "
        "FROM marts.wjp_rank_comparison WHERE scope = 'global' ORDER BY 1"
    )
    assert rows == [
        ("DNK", 1, 1, "same", None),
        (
            "NOR",
            2,
            3,
            "tie_order",
            "Tied at 0.6000 (4 decimals) with SWE: the rule here ranks all 2 countries 2; "
            "WJP publishes distinct ranks 2-3 for them and places NOR 3.",
        ),
        ("SWE", 2, 2, "same", None),
    ]


def test_a_published_rank_that_is_not_a_tie_blocks_the_publish(tmp_path):
    raw_dir = copy_raw(tmp_path)
    body = ranked_snapshot({"DNK": 2, "NOR": 3, "SWE": 1})
    pin_snapshot(raw_dir, body)
    with serve({"/roli.json": (200, body, {})}) as url:
        steps = run_steps(raw_dir, tmp_path, {"wjp_roli": f"{url}/roli.json"}, marts=MARTS)
    failed = steps.failed()
    messages = failed[("mart_wjp_rank_comparison", "every_rank_difference_is_a_tie")]
    listed = [line for line in messages.splitlines() if not line.startswith("    fix:")]
    assert [line.split(",")[1].strip() for line in listed] == [
        f"row {code}/2025/overall/{scope}"
        for code in ("DNK", "SWE")
        for scope in ("global", "income_group", "region")
    ]
    assert "Computed 1 of 3, published 2 of 3: not explained by a 4-decimal tie." in messages
