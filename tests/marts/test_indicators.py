"""marts.indicators: WJP's ranks computed from its scores (ties included), each paper cell
verified against WJP's snapshot (crafted snapshots and the real one), the snapshot unavailable,
the check that every mismatch is explained, and the paper's Table 1 and Table 2 cells as built."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest

from pipeline.settings import REPO_ROOT
from pipeline.transforms.sources.download_sources import WJP
from tests.harness import (
    UNREACHABLE_URL,
    Steps,
    copy_raw,
    rechecksum,
    run_steps,
)
from tests.marts.shared import MARTS, steps_with_snapshot, verification_counts
from tests.wjp_server import all_factors, country, snapshot

REGION = "Eastern Europe and Central Asia"


PAPER_REGION_MEMBERS = [
    row["country_iso3"]
    for row in csv.DictReader(
        (REPO_ROOT / "raw" / "paper" / "table2_region_members.csv").open(encoding="utf-8")
    )
]


def wjp_ranks(run, year: int, measure: str, scope: str) -> dict[str, tuple[int, int]]:
    rows = run.query(
        "SELECT country_iso3, rank, n_ranked FROM marts.indicators "
        "WHERE source_id = 'wjp_roli' AND edition_year = ? AND factor_code = ? AND scope = ?",
        [year, measure, scope],
    )
    return {code: (rank, n) for code, rank, n in rows}


def paper_cell(run, source_id: str, iso3: str, year: int, factor: str, scope: str):
    rows = run.query(
        "SELECT verification, verification_note FROM marts.indicators WHERE source_id = ? "
        "AND country_iso3 = ? AND edition_year = ? AND factor_code = ? AND scope = ?",
        [source_id, iso3, year, factor, scope],
    )
    assert len(rows) == 1, (source_id, iso3, year, factor, scope)
    return rows[0]


# --- Ranks, ties included ---------------------------------------------------------------------


# Five countries, two regions, two income groups. 2022: NOR and FIN tie at 0.8000; EST and LVA
# differ only in the 5th decimal (0.70001, 0.70004) and tie once rounded to 4 decimals. 2021
# (LVA not yet scored): NOR 0.60004 and FIN 0.60006 also differ in the 5th decimal only, but
# round to 0.6000 and 0.6001, so they do not tie: the rule rounds, it is not a tolerance. In 2022
# F1 reverses DNK's place, to show ranks are per measure.
RANK_FIXTURE = snapshot(
    [
        country(
            "DNK",
            "Denmark",
            "North",
            "High",
            {2021: all_factors(0.85), 2022: all_factors(0.9) | {"f1": 0.1}},
        ),
        country(
            "NOR", "Norway", "North", "High", {2021: all_factors(0.60004), 2022: all_factors(0.8)}
        ),
        country(
            "FIN",
            "Finland",
            "North",
            "Upper-Middle",
            {2021: all_factors(0.60006), 2022: all_factors(0.8)},
        ),
        country(
            "EST", "Estonia", "Baltic", "High", {2021: all_factors(0.9), 2022: all_factors(0.70001)}
        ),
        country("LVA", "Latvia", "Baltic", "Upper-Middle", {2022: all_factors(0.70004)}),
    ]
)


@pytest.fixture(scope="module")
def ranked(tmp_path_factory) -> Steps:
    return steps_with_snapshot(tmp_path_factory.mktemp("ranked"), RANK_FIXTURE)


def test_global_ranks_are_competition_ranks_on_4_decimal_scores(ranked):
    assert wjp_ranks(ranked, 2022, "overall", "global") == {
        "DNK": (1, 5),
        "NOR": (2, 5),
        "FIN": (2, 5),
        "EST": (4, 5),
        "LVA": (4, 5),
    }


def test_scores_differing_in_the_5th_decimal_tie_and_are_published_rounded(ranked):
    scores = dict(
        ranked.query(
            "SELECT country_iso3, score FROM marts.indicators WHERE source_id = 'wjp_roli' "
            "AND edition_year = 2022 AND factor_code = 'overall' AND scope = 'global' "
            "AND country_iso3 IN ('EST', 'LVA')"
        )
    )
    assert scores == {"EST": 0.7, "LVA": 0.7}
    ranks = wjp_ranks(ranked, 2022, "overall", "global")
    assert ranks["EST"] == ranks["LVA"] == (4, 5)


def test_scores_rounding_apart_do_not_tie_and_n_ranked_counts_the_edition(ranked):
    # LVA has no 2021 score: 4 ranked. FIN 0.60006 -> 0.6001 is ahead of NOR 0.60004 -> 0.6.
    assert wjp_ranks(ranked, 2021, "overall", "global") == {
        "EST": (1, 4),
        "DNK": (2, 4),
        "FIN": (3, 4),
        "NOR": (4, 4),
    }


def test_region_ranks_use_the_2025_region(ranked):
    assert wjp_ranks(ranked, 2022, "overall", "region") == {
        "DNK": (1, 3),
        "NOR": (2, 3),
        "FIN": (2, 3),
        "EST": (1, 2),
        "LVA": (1, 2),
    }
    names = dict(
        ranked.query(
            "SELECT country_iso3, scope_name FROM marts.indicators WHERE source_id = 'wjp_roli' "
            "AND edition_year = 2021 AND factor_code = 'overall' AND scope = 'region'"
        )
    )
    assert names["EST"] == "Baltic (WJP 2025 grouping)"
    assert wjp_ranks(ranked, 2021, "overall", "region") == {
        "DNK": (1, 3),
        "FIN": (2, 3),
        "NOR": (3, 3),
        "EST": (1, 1),
    }


def test_income_group_ranks_use_the_2025_income_group(ranked):
    assert wjp_ranks(ranked, 2022, "overall", "income_group") == {
        "DNK": (1, 3),
        "NOR": (2, 3),
        "EST": (3, 3),
        "FIN": (1, 2),
        "LVA": (2, 2),
    }


def test_ranks_are_computed_per_measure(ranked):
    assert wjp_ranks(ranked, 2022, "F1", "global") == {
        "NOR": (1, 5),
        "FIN": (1, 5),
        "EST": (3, 5),
        "LVA": (3, 5),
        "DNK": (5, 5),
    }
    assert wjp_ranks(ranked, 2022, "F2", "global") == wjp_ranks(ranked, 2022, "overall", "global")


# --- Verification outcomes --------------------------------------------------------------------


# Fixture GLOBAL140: 139 filler countries (distinct scores, 0.985 down to 0.295 in steps of
# 0.005) and KAZ placed between two fillers so that its 2022 global rank is exactly the paper's
# in every measure, and its 2021 overall rank the paper's 66. One extra country has only an F8
# score (the lowest), so F8 ranks 141 countries. UZB, KGZ, TJK and TKM are absent. KAZ is alone
# in its region and income group.
PAPER_GLOBAL_2022 = {
    "overall": 65,
    "f1": 106,
    "f2": 62,
    "f3": 85,
    "f4": 100,
    "f5": 42,
    "f6": 62,
    "f7": 43,
    "f8": 62,
}


def global_place(rank: int) -> float:
    """A score just above the filler at `rank` and below the one at rank - 1."""
    return round(0.9925 - 0.005 * rank, 4)


# Real ISO codes for the fillers (every code in the warehouse must be known), none of the five
# Central Asian states nor a member of the paper's region.
FILLERS = [
    row["country_iso3"]
    for row in csv.DictReader(
        (REPO_ROOT / "raw" / "reference" / "iso3166_countries.csv").open(encoding="utf-8")
    )
    if row["country_iso3"] not in {"KAZ", "UZB", "KGZ", "TJK", "TKM", *PAPER_REGION_MEMBERS}
]


GLOBAL140 = snapshot(
    [
        country(
            FILLERS[i],
            f"Filler {i}",
            "Elsewhere",
            "High",
            {
                2021: all_factors(round(0.985 - 0.005 * i, 4)),
                2022: all_factors(round(0.985 - 0.005 * i, 4)),
            },
        )
        for i in range(139)
    ]
    + [
        country(
            "KAZ",
            "Kazakhstan",
            REGION,
            "Upper-Middle",
            {
                2021: {"overall": global_place(66)},
                2022: {key: global_place(rank) for key, rank in PAPER_GLOBAL_2022.items()},
            },
        ),
        country(FILLERS[139], "Late entrant", "Elsewhere", "High", {2022: {"f8": 0.01}}),
    ]
)


# Fixture REGION14: the paper's 14 region members with 2022 scores in WJP's region of KAZ,
# KAZ placed at the paper's Table 2 regional rank in F1..F8 (overall: 5th of the region, so 6th
# of 15 globally); ARM is in the same 2025 region but scored in 2022 only for F8 (other
# measures only in 2025); DNK, in another region, is first everywhere.
PAPER_REGION_2022 = {"f1": 9, "f2": 4, "f3": 10, "f4": 10, "f5": 6, "f6": 2, "f7": 1, "f8": 3}


def region_place(rank: int) -> float:
    return round(0.925 - 0.05 * rank, 4)


REGION14 = snapshot(
    [
        country(code, code, REGION, "Upper-Middle", {2022: all_factors(round(0.9 - 0.05 * j, 4))})
        for j, code in enumerate((c for c in PAPER_REGION_MEMBERS if c != "KAZ"), start=1)
    ]
    + [
        country(
            "KAZ",
            "Kazakhstan",
            REGION,
            "Upper-Middle",
            {
                2022: {"overall": region_place(5)}
                | {key: region_place(rank) for key, rank in PAPER_REGION_2022.items()}
            },
        ),
        country(
            "ARM", "Armenia", REGION, "Upper-Middle", {2022: {"f8": 0.5}, 2025: all_factors(0.5)}
        ),
        country("DNK", "Denmark", "EU + EFTA + North America", "High", {2022: all_factors(0.95)}),
    ]
)


@pytest.fixture(scope="module")
def global140(tmp_path_factory) -> Steps:
    return steps_with_snapshot(tmp_path_factory.mktemp("global140"), GLOBAL140)


@pytest.fixture(scope="module")
def region14(tmp_path_factory) -> Steps:
    return steps_with_snapshot(tmp_path_factory.mktemp("region14"), REGION14)


@pytest.fixture(scope="module")
def offline(tmp_path_factory) -> Steps:
    base = tmp_path_factory.mktemp("offline")
    steps = run_steps(copy_raw(base), base, marts=MARTS)  # the download fails: offline
    assert steps.failed() == {}
    return steps


def test_fixture_global140_places_kaz_as_the_paper_does(global140):
    assert wjp_ranks(global140, 2022, "overall", "global")["KAZ"] == (65, 140)
    assert wjp_ranks(global140, 2022, "F8", "global")["KAZ"] == (62, 141)
    assert wjp_ranks(global140, 2021, "overall", "global")["KAZ"] == (66, 140)


def test_verified_when_rank_and_n_ranked_agree(global140):
    verification, note = paper_cell(global140, "paper_table1", "KAZ", 2022, "overall", "global")
    assert verification == "verified"
    assert note.startswith("Paper: 65/140. Source: 65/140 (score 0.6675")


def test_verified_without_n_ranked_when_the_paper_gives_none(global140):
    # The 2021 ranks in parentheses carry no n_ranked: the rank alone is compared.
    verification, note = paper_cell(global140, "paper_table1", "KAZ", 2021, "overall", "global")
    assert verification == "verified"
    assert note.startswith("Paper: 66. Source: 66/140 (score 0.6625"), note


def test_no_data_cell_is_verified_when_the_source_has_no_score(global140):
    for iso3 in ("TJK", "TKM"):
        verification, note = paper_cell(global140, "paper_table1", iso3, 2022, "F3", "global")
        assert verification == "verified"
        assert note == f"Paper: no data. Source: no 2022 score for {iso3} (F3)."


def test_mismatch_when_n_ranked_differs_names_both_values(global140):
    for source_id in ("paper_table1", "paper_table2"):
        verification, note = paper_cell(global140, source_id, "KAZ", 2022, "F8", "global")
        assert verification == "mismatch"
        assert note.startswith("Paper: 62/140. Source: 62/141 ("), note


def test_mismatch_when_the_source_has_no_score_for_a_ranked_cell(global140):
    verification, note = paper_cell(global140, "paper_table1", "UZB", 2022, "overall", "global")
    assert verification == "mismatch"
    assert note == "Paper: rank 78. Source: no 2022 score for UZB (overall)."
    verification, note = paper_cell(global140, "paper_table1", "KGZ", 2021, "overall", "global")
    assert (verification, note) == (
        "mismatch",
        "Paper: rank 99. Source: no 2021 score for KGZ (overall).",
    )


def test_mismatch_when_ranks_differ_names_paper_and_source(region14):
    verification, note = paper_cell(region14, "paper_table1", "KAZ", 2022, "overall", "global")
    assert verification == "mismatch"
    assert note.startswith("Paper: 65/140. Source: 6/15 (score 0.675"), note


def test_income_group_cells_are_always_unverifiable(global140, region14):
    for run in (global140, region14):
        rows = run.query(
            "SELECT DISTINCT verification, verification_note FROM marts.indicators "
            "WHERE source_id = 'paper_table2' AND scope = 'income_group'"
        )
        assert rows == [
            (
                "unverifiable",
                "The source gives only 2025 income groups; the 2022 grouping the paper ranks "
                "within (42 countries) is not in the source.",
            )
        ]


def test_region_cell_is_unverifiable_when_the_2025_region_differs(global140):
    verification, note = paper_cell(global140, "paper_table2", "KAZ", 2022, "F7", "region")
    assert verification == "unverifiable"
    listed = ", ".join(sorted(PAPER_REGION_MEMBERS))
    assert note == (
        "The source gives only 2025 regions; its region for this edition (KAZ) differs from the "
        f"paper's list ({listed})."
    )


def test_region_cell_is_verified_when_regions_match_among_countries_scored_that_year(region14):
    # ARM is in KAZ's 2025 region but has no 2022 F1..F7 score, so the region matches the paper.
    assert wjp_ranks(region14, 2025, "F1", "region")["ARM"] == (1, 1)
    for factor, rank in PAPER_REGION_2022.items():
        if factor == "f8":
            continue
        verification, note = paper_cell(
            region14, "paper_table2", "KAZ", 2022, factor.upper(), "region"
        )
        assert verification == "verified", (factor, note)
        assert note.startswith(f"Paper: {rank}/14. Source: {rank}/14 ")
        assert note.endswith("regions match the paper's list.")


def test_region_cell_is_unverifiable_when_an_extra_country_is_scored_that_year(region14):
    # ARM has a 2022 F8 score: WJP's region has 15 members for F8, the paper lists 14.
    verification, note = paper_cell(region14, "paper_table2", "KAZ", 2022, "F8", "region")
    assert verification == "unverifiable"
    assert "ARM" in note.split("differs")[0] and "differs from the paper's list" in note


def test_crafted_global140_verification_counts(global140):
    # Table 1, 48 global cells: verified = KAZ 2022 overall..F7 (8) + TJK/TKM no data (18)
    # + KAZ 2021 (1) = 27; mismatch = KAZ F8 (1) + UZB/KGZ 2022 (18) + UZB/KGZ 2021 (2) = 21.
    # Table 2: global F1..F7 verified, F8 mismatch; region (KAZ alone) and income unverifiable.
    assert verification_counts(global140) == [
        ("Table 1", "global", "mismatch", 21),
        ("Table 1", "global", "verified", 27),
        ("Table 2", "global", "mismatch", 1),
        ("Table 2", "global", "verified", 7),
        ("Table 2", "income_group", "unverifiable", 8),
        ("Table 2", "region", "unverifiable", 8),
    ]


def test_not_checked_when_the_snapshot_is_unavailable_with_the_reason(offline):
    rows = offline.query(
        "SELECT DISTINCT verification, verification_note FROM marts.indicators "
        "WHERE source_id LIKE 'paper_%'"
    )
    assert len(rows) == 1 and rows[0][0] == "not_checked"
    assert rows[0][1].startswith(
        f"WJP snapshot unavailable in this refresh: download of {UNREACHABLE_URL} failed: "
    )
    assert "offline, server down or wrong URL" in rows[0][1]


# --- WJP's real snapshot ----------------------------------------------------------------------


def test_real_snapshot_confirms_every_ranked_cell_without_mismatch(built):
    mismatches = built.query(
        "SELECT source_locator, country_iso3, edition_year, factor_code, scope, rank, n_ranked, "
        "verification_note FROM marts.indicators "
        "WHERE source_id LIKE 'paper_%' AND verification = 'mismatch' ORDER BY 1"
    )
    assert mismatches == [], "\n".join(map(str, mismatches))


def test_real_snapshot_ranks_every_country_scored_in_each_edition(built, wjp_file):
    """n_ranked of the global overall rank is the number of countries WJP scores in that
    edition (what the paper's ranked cells are checked against, above)."""
    scored = Counter(
        edition["year"]
        for country in json.loads(wjp_file)["countries"]
        for edition in country["history"]
        if edition["overall"] is not None
    )
    assert dict(
        built.query(
            "SELECT edition_year, max(n_ranked) FROM marts.indicators WHERE source_id = 'wjp_roli' "
            "AND scope = 'global' AND factor_code = 'overall' GROUP BY 1"
        )
    ) == dict(scored)


def test_real_snapshot_has_every_edition_with_2017_18_as_2018(built, wjp_file):
    editions = {
        (edition["year"], edition["label"])
        for country in json.loads(wjp_file)["countries"]
        for edition in country["history"]
    }
    assert (2018, "2017-18") in editions
    assert built.query(
        "SELECT DISTINCT edition_year, edition_label FROM marts.indicators "
        "WHERE source_id = 'wjp_roli' ORDER BY 1"
    ) == sorted(editions)


def test_real_snapshot_sub_factors_only_for_2025(built, wjp_file):
    """The file's sub-factor scores (sf11..sf87) are of its own edition only."""
    document = json.loads(wjp_file)
    sub_factors = {key for country in document["countries"] for key in country if key[:2] == "sf"}
    assert built.query(
        "SELECT edition_year, count(DISTINCT factor_code) FROM marts.indicators "
        "WHERE source_id = 'wjp_roli' AND factor_code LIKE 'SF%' GROUP BY 1"
    ) == [(document["year"], len(sub_factors))]


# --- Snapshot unavailable: the run still publishes --------------------------------------------


def test_unavailable_snapshot_leaves_every_paper_cell_not_checked(offline):
    assert verification_counts(offline) == [
        ("Table 1", "global", "not_checked", 48),
        ("Table 2", "global", "not_checked", 8),
        ("Table 2", "income_group", "not_checked", 8),
        ("Table 2", "region", "not_checked", 8),
    ]
    assert offline.query("SELECT count(*) FROM marts.indicators WHERE source_id = 'wjp_roli'") == [
        (0,)
    ]


def test_unavailable_snapshot_fails_the_warning_check_with_the_reason(offline):
    (outcome,) = [o for o in offline.outcomes if o.asset_key == WJP.asset_name]
    message = outcome.warnings["snapshot_available"]
    assert message.startswith(f"download of {UNREACHABLE_URL} failed: ")
    assert outcome.checks["pin_is_valid_and_met"] == []
    note = offline.query(
        "SELECT DISTINCT verification_note FROM marts.indicators WHERE source_id LIKE 'paper_%'"
    )
    assert note == [(f"WJP snapshot unavailable in this refresh: {message}",)]


def test_available_snapshot_passes_the_warning_check(global140):
    (outcome,) = [o for o in global140.outcomes if o.asset_key == WJP.asset_name]
    assert outcome.warnings["snapshot_available"] == ""


# --- every mismatch is explained, or the publish is refused -----------------------------------


def test_each_unexplained_mismatch_is_refused_naming_the_cell_and_what_to_do(global140):
    message = global140.failed()[("mart_indicators", "every_mismatch_is_explained")]
    mismatches = global140.query(
        "SELECT count(*) FROM marts.indicators WHERE verification = 'mismatch'"
    )[0][0]
    assert (
        message.count(
            "rule 'a paper cell that disagrees with its primary source is explained' failed"
        )
        == mismatches
        == 22
    )
    assert "marts.indicators, row paper_table1/KAZ/2022/F8/global, column 'verification'" in message
    assert "Paper: 62/140. Source: 62/141" in message
    assert "target_key 'paper_table1/KAZ/2022/F8/global'" in message


def test_an_acknowledged_disagreement_explains_its_mismatch_and_only_that_one(tmp_path):
    raw_dir = copy_raw(tmp_path)
    errata = raw_dir / "reference" / "errata.csv"
    row = (
        "err_kaz_f8_n_ranked,acknowledged_disagreement,indicators,"
        "paper_table1/KAZ/2022/F8/global,n_ranked,62**,The fixture ranks 141 countries in F8.,"
        ",,,suspected,,,,Written for a test: no source.\n"
    )
    errata.write_text(errata.read_text(encoding="utf-8") + row, encoding="utf-8")
    rechecksum(errata)
    steps = steps_with_snapshot(tmp_path, GLOBAL140, raw_dir)
    assert steps.query(
        "SELECT erratum FROM marts.indicators WHERE source_id = 'paper_table1' "
        "AND country_iso3 = 'KAZ' AND edition_year = 2022 AND factor_code = 'F8'"
    ) == [("The fixture ranks 141 countries in F8.",)]
    message = steps.failed()[("mart_indicators", "every_mismatch_is_explained")]
    assert "paper_table1/KAZ/2022/F8/global" not in message
    assert message.count("failed") == 21


# Table 1 of the paper, as printed (rows: factor labels; columns: KAZ, UZB, TJK, KGZ, TKM).
PAPER_TABLE1 = {
    "overall": (65, 78, None, 100, None),
    "F1": (106, 114, None, 104, None),
    "F2": (62, 66, None, 127, None),
    "F3": (85, 122, None, 64, None),
    "F4": (100, 107, None, 97, None),
    "F5": (42, 16, None, 64, None),
    "F6": (62, 99, None, 110, None),
    "F7": (43, 75, None, 95, None),
    "F8": (62, 65, None, 114, None),
}


TABLE1_COUNTRIES = ("KAZ", "UZB", "TJK", "KGZ", "TKM")


PAPER_TABLE1_2021 = {"KAZ": 66, "UZB": 85, "KGZ": 99}


# Table 2 of the paper: (region/14, income group/42, global/140).
PAPER_TABLE2 = {
    "F1": (9, 35, 106),
    "F2": (4, 17, 62),
    "F3": (10, 30, 85),
    "F4": (10, 34, 100),
    "F5": (6, 7, 42),
    "F6": (2, 17, 62),
    "F7": (1, 8, 43),
    "F8": (3, 17, 62),
}


# --- the paper's tables as built --------------------------------------------------------------


def test_table1_cells_match_the_paper(built):
    rows = built.query(
        "SELECT country_iso3, factor_code, rank, n_ranked, missing_reason, source_locator "
        "FROM marts.indicators WHERE source_id = 'paper_table1' AND edition_year = 2022"
    )
    assert len(rows) == len(PAPER_TABLE1) * len(TABLE1_COUNTRIES)  # the empty cells included
    found = {(r[0], r[1]): r for r in rows}
    for factor, ranks in PAPER_TABLE1.items():
        for iso3, rank in zip(TABLE1_COUNTRIES, ranks, strict=True):
            row = found[(iso3, factor)]
            assert row[2] == rank, (iso3, factor)
            assert row[4] == "no data" if rank is None else row[3] == 140
            assert row[5].startswith("Table 1, row ")
    previous = dict(
        built.query(
            "SELECT country_iso3, rank FROM marts.indicators WHERE source_id = 'paper_table1' "
            "AND edition_year = 2021 AND factor_code = 'overall'"
        )
    )
    assert previous == PAPER_TABLE1_2021


def test_table2_cells_match_the_paper(built):
    rows = built.query(
        "SELECT factor_code, scope, rank, n_ranked FROM marts.indicators "
        "WHERE source_id = 'paper_table2' AND country_iso3 = 'KAZ'"
    )
    assert len(rows) == 24
    found = {(r[0], r[1]): (r[2], r[3]) for r in rows}
    for factor, (region, income, world) in PAPER_TABLE2.items():
        assert found[(factor, "region")] == (region, 14)
        assert found[(factor, "income_group")] == (income, 42)
        assert found[(factor, "global")] == (world, 140)
