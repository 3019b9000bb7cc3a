"""marts.paper_claims: every verdict is computed from the evidence by the claim's stated rule, so
changing the data changes it. Each scenario changes the data in a fixture (V-Dem's ERT and WJP's
roli.json, generated from the real files at test time (tests/published_files.py) and pinned;
or a raw CSV) and checks that the claims it touches follow, and that no other claim moves.

The rules are those of raw/paper/claims.csv; the expected verdicts below follow from them:
  only_democracy         supported if the subject is a democracy (v2x_regime >= 2) and the others
                         autocracies; partly if it is not but has the highest index; else
                         contradicted
  all_autocracies        supported if all are autocracies, partly if some, contradicted if none
  index_rises            supported if every country's index rose by the threshold, partly if some
  autocratization_since  supported if more European and Asian countries began an episode in the
                         four years from year_to than in the four before; else contradicted
  best_in_group          supported if first of the group in WJP and V-Dem, partly if in one
  wjp_coverage           supported if WJP scores every country, partly if some, contradicted if none
  tables_verified        contradicted by an unexplained mismatch, partly if all are explained
  erratum                contradicted by a confirmed erratum, partly by a probable one
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.harness import OFFLINE, copy_raw, edit_csv, pin_snapshot, run_steps
from tests.vdem_fixtures import Ert
from tests.wjp_server import serve

# The real files' verdicts come from the session build; the scenarios share this module's
# fixtures, so the whole module runs where that build is (tests/xdist_groups.py).
pytestmark = pytest.mark.xdist_group("built")

FIRST_YEAR = 2010  # the V-Dem fixture keeps 2010-2024: every year a claim looks at
ONLY_KGZ = "clm_only_kyrgyzstan_free_elections"
THE_REST = "clm_the_rest_are_authoritarian"
BEGUN_TO_CHANGE = "clm_situation_has_begun_to_change"
AUTHORITARIAN_TURN = "clm_authoritarian_turn_since_2020"
KAZ_HIGH = "clm_kazakhstan_scores_relatively_high"
WJP_COVERS = "clm_wjp_covers_all_five"
TABLES = "clm_tables_are_wjp_2022_ranks"
TOKAYEV = "clm_tokayev_won_election_on_20_march_2019"
UZB_CELL = "paper_table1/UZB/2022/overall/global"


def polyarchy(value: float) -> dict:
    """An index value with an interval around it (the spec wants low <= value <= high)."""
    return {
        "v2x_polyarchy": value,
        "v2x_polyarchy_codelow": round(value - 0.02, 3),
        "v2x_polyarchy_codehigh": round(value + 0.02, 3),
    }


def episode_from(code: str, year: int) -> dict:
    return {"aut_ep": 1, "aut_ep_id": f"{code}_{year}", "aut_ep_start_year": year}


def wjp_score(code: str, year: int, value: float | None) -> Callable[[dict], None]:
    """Set (or, with None, remove) a country's overall score in one WJP edition."""

    def change(document: dict) -> None:
        (country,) = [c for c in document["countries"] if c["code"] == code]
        if value is None:
            country["history"] = [e for e in country["history"] if e["year"] != year]
        else:
            (edition,) = [e for e in country["history"] if e["year"] == year]
            edition["overall"] = value

    return change


def uzb_rank_79(raw_dir: Path) -> None:
    """Table 1's Uzbekistan overall cell misread as 79 (WJP: 78)."""
    edit_csv(
        raw_dir / "paper/table1_ranks.csv", "78 (85 in 2021),2022,78,", "79 (85 in 2021),2022,79,"
    )


def uzb_rank_explained(raw_dir: Path) -> None:
    uzb_rank_79(raw_dir)
    errata = raw_dir / "reference/errata.csv"
    row = (
        f"err_uzb_overall,acknowledged_disagreement,indicators,{UZB_CELL},rank,79,"
        "WJP ranks Uzbekistan 78th.,78,,,probable,https://worldjusticeproject.org/,"
        "WJP Rule of Law Index 2022,,Made by a test.\n"
    )
    errata.write_text(errata.read_text(encoding="utf-8") + row, encoding="utf-8")
    edit_csv(errata, "err_uzb_overall", "err_uzb_overall")  # re-record the checksum


def tokayev_erratum(confidence: str | None) -> Callable[[Path], None]:
    def change(raw_dir: Path) -> None:
        errata = raw_dir / "reference/errata.csv"
        lines = errata.read_text(encoding="utf-8").splitlines(keepends=True)
        (at,) = [i for i, line in enumerate(lines) if line.startswith("err_tokayev_election_date,")]
        if confidence is None:
            del lines[at]
        else:
            lines[at] = lines[at].replace(",day,confirmed,", f",day,{confidence},")
        errata.write_text("".join(lines), encoding="utf-8")
        edit_csv(errata, "err_", "err_")  # re-record the checksum

    return change


@dataclass(frozen=True)
class Scenario:
    id: str
    expected: dict[str, str]  # claim -> verdict after the change; every other claim unchanged
    vdem: dict[tuple[str, int], dict] = field(default_factory=dict)  # (code, year) -> cells
    wjp: tuple[Callable[[dict], None], ...] = ()
    raw: Callable[[Path], None] | None = None
    offline: tuple[str, ...] = ()  # sources unreachable in this refresh


SCENARIOS = [
    Scenario("kyrgyzstan-a-democracy", {ONLY_KGZ: "supported"}, {("KGZ", 2023): {"v2x_regime": 2}}),
    Scenario(
        "kyrgyzstan-not-the-highest-index",
        {ONLY_KGZ: "contradicted"},
        {("KGZ", 2023): polyarchy(0.1)},
    ),
    Scenario(
        "kazakhstan-a-democracy", {THE_REST: "partly_supported"}, {("KAZ", 2023): {"v2x_regime": 2}}
    ),
    Scenario(
        "the-four-democracies",
        {THE_REST: "contradicted"},
        {(code, 2023): {"v2x_regime": 2} for code in ("KAZ", "TJK", "TKM", "UZB")},
    ),
    Scenario("tajikistan-rises", {BEGUN_TO_CHANGE: "supported"}, {("TJK", 2023): polyarchy(0.2)}),
    Scenario(
        "uzbekistan-flat", {BEGUN_TO_CHANGE: "contradicted"}, {("UZB", 2023): polyarchy(0.17)}
    ),
    Scenario(
        "three-more-episodes-in-2021",
        {AUTHORITARIAN_TURN: "supported"},
        {(code, 2021): episode_from(code, 2021) for code in ("AUT", "BEL", "DNK")},
    ),
    Scenario(
        "kazakhstan-first-in-vdem-too", {KAZ_HIGH: "supported"}, {("KAZ", 2022): polyarchy(0.5)}
    ),
    Scenario(
        "kazakhstan-last-in-wjp",
        # a lower score also moves Kazakhstan's 2022 ranks away from the paper's Table 1 and 2
        {KAZ_HIGH: "contradicted", TABLES: "contradicted"},
        wjp=(wjp_score("KAZ", 2022, 0.40),),
    ),
    Scenario(
        "wjp-scores-none-of-the-five",
        # the paper's cells for those three now disagree with the source: unexplained mismatches
        {WJP_COVERS: "contradicted", KAZ_HIGH: "contradicted", TABLES: "contradicted"},
        wjp=tuple(wjp_score(code, 2022, None) for code in ("KAZ", "KGZ", "UZB")),
    ),
    Scenario("a-table-cell-misread", {TABLES: "contradicted"}, raw=uzb_rank_79),
    Scenario("a-misread-cell-explained", {TABLES: "partly_supported"}, raw=uzb_rank_explained),
    Scenario(
        "erratum-only-probable", {TOKAYEV: "partly_supported"}, raw=tokayev_erratum("probable")
    ),
    Scenario("no-erratum", {TOKAYEV: "not_checkable"}, raw=tokayev_erratum(None)),
    Scenario(
        "wjp-unavailable",
        # the European and Asian countries of the autocratization claim are WJP's groups
        {
            WJP_COVERS: "not_checkable",
            KAZ_HIGH: "not_checkable",
            TABLES: "not_checkable",
            AUTHORITARIAN_TURN: "not_checkable",
        },
        offline=("wjp_roli",),
    ),
]


# Scenarios that touch different claims and different cells run together, in one build (a build
# is most of a scenario's cost). Each claim must still follow its own scenario, and every claim
# no scenario of the group names must keep its verdict, so a change that moved another
# scenario's claim would fail the group.
TOGETHER = [
    (
        "kyrgyzstan-a-democracy",
        "tajikistan-rises",
        "three-more-episodes-in-2021",
        "a-table-cell-misread",
        "erratum-only-probable",
    ),
    (
        "kyrgyzstan-not-the-highest-index",
        "kazakhstan-first-in-vdem-too",
        "a-misread-cell-explained",
        "no-erratum",
    ),
    ("kazakhstan-a-democracy", "kazakhstan-last-in-wjp", "uzbekistan-flat"),
    ("the-four-democracies", "wjp-scores-none-of-the-five"),
    ("wjp-unavailable",),  # its own download cache: an unreachable source must not use one
]
BY_ID = {s.id: s for s in SCENARIOS}


def applied_together(ids: tuple[str, ...]) -> Scenario:
    """The scenarios' changes, all at once."""
    chosen = [BY_ID[i] for i in ids]
    raws = [s.raw for s in chosen if s.raw]

    def raw(raw_dir: Path) -> None:
        for change in raws:
            change(raw_dir)

    return Scenario(
        "+".join(ids),
        {claim: v for s in chosen for claim, v in s.expected.items()},
        {cell: v for s in chosen for cell, v in s.vdem.items()},
        tuple(change for s in chosen for change in s.wjp),
        raw if raws else None,
        tuple(source for s in chosen for source in s.offline),
    )


def test_each_scenario_runs_once_with_others_that_touch_other_claims_and_cells():
    grouped = [i for ids in TOGETHER for i in ids]
    assert sorted(grouped) == sorted(BY_ID), "every scenario in exactly one group"
    for ids in TOGETHER:
        chosen = [BY_ID[i] for i in ids]
        claims = [claim for s in chosen for claim in s.expected]
        cells = [cell for s in chosen for cell in s.vdem]
        assert len(claims) == len(set(claims)), f"{ids}: two scenarios move one claim"
        assert len(cells) == len(set(cells)), f"{ids}: two scenarios change one V-Dem cell"
        assert sum(bool(s.wjp) for s in chosen) <= 1, f"{ids}: two scenarios change WJP's file"
        assert not any(s.offline for s in chosen) or len(chosen) == 1


@pytest.fixture(scope="module")
def real_files(vdem_file, wjp_file) -> tuple[Ert, dict]:
    return Ert.parse(vdem_file), json.loads(wjp_file)


@pytest.fixture(scope="module")
def fixtures(real_files) -> tuple[Ert, dict]:
    ert, document = real_files
    return ert.since(FIRST_YEAR), document


def claim_verdicts(
    base: Path, fixtures, scenario: Scenario | None = None, cache_dir: Path | None = None
) -> dict:
    """{claim_id: (verdict, evidence)} of the sources and models marts.paper_claims is built
    from, on the scenario's data (downloads parsed once per sha256 in the shared `cache_dir`)."""
    ert, document = fixtures
    scenario = scenario or Scenario("baseline", {})
    ert = ert.since()
    for (code, year), cells in scenario.vdem.items():
        ert.set(code, year, **cells)
    document = json.loads(json.dumps(document))
    for change in scenario.wjp:
        change(document)
    vdem_bytes = ert.render()
    wjp_bytes = json.dumps(document).encode("utf-8")
    raw_dir = copy_raw(base)
    pin_snapshot(raw_dir, vdem_bytes, "vdem/ert.meta.yml")
    pin_snapshot(raw_dir, wjp_bytes)
    if scenario.raw:
        scenario.raw(raw_dir)
    routes = {"/ert.csv": (200, vdem_bytes, {}), "/roli.json": (200, wjp_bytes, {})}
    with serve(routes) as url:
        urls = {"vdem_ert": f"{url}/ert.csv", "wjp_roli": f"{url}/roli.json"}
        urls |= {source: OFFLINE[source] for source in scenario.offline}
        steps = run_steps(raw_dir, base, urls, marts=("paper_claims",), cache_dir=cache_dir)
    failed = {key for key in steps.failed() if key[0].startswith("raw_")}
    assert failed == set(), steps.failed()
    rows = steps.query("SELECT claim_id, verdict, evidence FROM marts.paper_claims")
    return {claim: (verdict, evidence) for claim, verdict, evidence in rows}


@pytest.fixture(scope="module")
def downloads_cache(tmp_path_factory) -> Path:
    """One download cache for the module: a fixture's parse is kept by its sha256, as in a
    refresh, so a scenario that leaves a download as it was does not parse it again."""
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, fixtures, downloads_cache) -> dict:
    return claim_verdicts(tmp_path_factory.mktemp("baseline"), fixtures, None, downloads_cache)


def test_the_fixture_gives_the_real_files_verdicts(baseline, built):
    """The cut-down V-Dem fixture (2010 on) decides every claim as the whole real file does (in
    the session's build from WJP's and V-Dem's real files), and each scenario's expected
    verdict differs from the real one."""
    real = dict(built.query("SELECT claim_id, verdict FROM marts.paper_claims"))
    assert {claim: verdict for claim, (verdict, _) in baseline.items()} == real
    changed = {c for s in SCENARIOS for c in s.expected}
    for claim in changed:
        assert all(s.expected.get(claim) != real[claim] for s in SCENARIOS if claim in s.expected)


@pytest.mark.parametrize("ids", TOGETHER, ids=["+".join(ids) for ids in TOGETHER])
def test_the_verdict_follows_the_data(ids, baseline, fixtures, downloads_cache, tmp_path):
    scenario = applied_together(ids)
    # an unreachable source must not fall back to a cached copy: such a scenario has its own
    cache = None if scenario.offline else downloads_cache
    after = claim_verdicts(tmp_path, fixtures, scenario, cache)
    expected = {claim: verdict for claim, (verdict, _) in baseline.items()} | scenario.expected
    assert {claim: verdict for claim, (verdict, _) in after.items()} == expected
    for claim in scenario.expected:
        assert after[claim][1] != baseline[claim][1], f"{claim}: the evidence did not change"


def test_evidence_names_the_values_and_years_the_verdict_rests_on(baseline, fixtures):
    ert, _ = fixtures
    kgz = {r["year"]: r for r in ert.records() if r["country_text_id"] == "KGZ"}["2023"]
    verdict, evidence = baseline[ONLY_KGZ]
    assert (
        f"KGZ 2023: v2x_regime {kgz['v2x_regime']} (electoral autocracy), "
        f"v2x_polyarchy {kgz['v2x_polyarchy']}"
    ) in evidence
    assert baseline[WJP_COVERS][1].startswith("WJP 2022: KAZ overall score ")
