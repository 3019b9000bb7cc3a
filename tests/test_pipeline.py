"""The whole graph, materialized for real into tmp_path warehouses: definitions, marts against
the paper, determinism, refusal of bad input, and the last good state surviving a failure."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq

from pipeline.definitions import defs
from pipeline.defs.resources import WjpSnapshotResource
from pipeline.schemas.marts import MARTS
from tests.conftest import copy_raw, edit_csv, materialize_into
from tests.wjp_server import serve

# The WJP download may fail without stopping the refresh (its cells become not_checked), and
# the verification view only counts rows of marts.indicators, which has its own check.
# raw_indicators__values only gathers long-format sources, each checked by its own asset.
NOT_BLOCKING = {"raw_wjp__roli", "mart_paper_verification", "raw_indicators__values"}
GRAPH_SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"
EXPECTED_GROUPS = {
    "raw": 14,
    "staging": 8,
    "marts": 6,
    "exports": 5,
    "reports": 1,
    "publish": 1,
}
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


def test_definitions_load_and_validate():
    defs.validate_loadable(defs)
    assert defs.resolve_job_def("refresh") is not None
    assert {s.name for s in defs.schedules} == {"weekly_refresh"}
    assert {s.name for s in defs.sensors} == {"raw_files_changed"}


def asset_graph_snapshot() -> dict:
    graph = defs.resolve_asset_graph()
    return {
        key.to_user_string(): {
            "group": graph.get(key).group_name,
            "deps": sorted(k.to_user_string() for k in graph.get(key).parent_keys),
        }
        for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string())
    }


def test_asset_graph_matches_the_reviewed_snapshot():
    """Every asset key, group and dependency. An intended change to the graph: rerun with
    UPDATE_SNAPSHOTS=1 and review the diff of tests/snapshots/asset_graph.json."""
    current = asset_graph_snapshot()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        GRAPH_SNAPSHOT.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    assert current == json.loads(GRAPH_SNAPSHOT.read_text(encoding="utf-8"))


def test_asset_graph_groups_and_lineage():
    graph = defs.resolve_asset_graph()
    groups: dict[str, int] = {}
    for key in graph.get_all_asset_keys():
        group = graph.get(key).group_name
        groups[group] = groups.get(group, 0) + 1
    assert groups == EXPECTED_GROUPS
    mart = graph.get(dg.AssetKey("mart_indicators"))
    assert dg.AssetKey("stg_paper__verification") in mart.parent_keys
    staging = graph.get(dg.AssetKey("stg_paper__indicators"))
    assert dg.AssetKey("raw_paper__table1_ranks") in staging.parent_keys
    publish = graph.get(dg.AssetKey("warehouse_release"))
    assert dg.AssetKey("report_summary") in publish.parent_keys


def test_every_raw_and_mart_asset_has_a_blocking_check():
    checks = {(c.asset_key.to_user_string(), c.blocking) for c in _check_specs()}
    for key in defs.resolve_asset_graph().get_all_asset_keys():
        name = key.to_user_string()
        if name.startswith(("raw_", "mart_", "export_")) and name not in NOT_BLOCKING:
            assert (name, True) in checks, f"{name} has no blocking check"
    assert ("raw_wjp__roli", False) in checks


def _check_specs():
    for assets_def in defs.resolve_asset_graph().assets_defs:
        yield from assets_def.check_specs


def test_full_graph_publishes_three_marts_with_the_contract_columns(built):
    assert built.layout.current_release() is not None
    for table, columns in {
        "indicators": ["country_iso3", "country_name", "edition_year", "factor_code",
                       "factor_name", "paper_label", "scope", "scope_name", "rank", "n_ranked",
                       "source_id", "source_locator"],
        "funding": ["recipient_code", "recipient_name", "period_start_year", "period_end_year",
                    "amount_eur", "amount_qualifier", "instrument", "source_id", "source_url",
                    "confidence"],
        "timeline": ["event_id", "event_date", "date_precision", "country_iso3s", "actor",
                     "category", "title", "description", "source_id", "source_locator",
                     "citation_keys", "erratum"],
    }.items():  # fmt: skip
        found = {row[0] for row in built.query(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'marts' AND table_name = ?", [table])}  # fmt: skip
        assert set(columns) <= found, f"marts.{table} lacks {set(columns) - found}"
    types = dict(built.query(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'marts' AND table_name = 'indicators'"))  # fmt: skip
    assert types["edition_year"] == "INTEGER" and types["rank"] == "INTEGER"


def test_table1_cells_match_the_paper(built):
    rows = built.query(
        "SELECT country_iso3, factor_code, rank, n_ranked, missing_reason, source_locator "
        "FROM marts.indicators WHERE source_id = 'paper_table1' AND edition_year = 2022"
    )
    assert len(rows) == 45  # 9 factors x 5 countries, the empty cells included
    found = {(r[0], r[1]): r for r in rows}
    for factor, ranks in PAPER_TABLE1.items():
        for iso3, rank in zip(TABLE1_COUNTRIES, ranks, strict=True):
            row = found[(iso3, factor)]
            assert row[2] == rank, (iso3, factor)
            if rank is None:
                assert row[4] == "no data"
            else:
                assert row[3] == 140
            assert row[5].startswith("Table 1, row ")


def test_table1_previous_edition_ranks(built):
    rows = dict(built.query(
        "SELECT country_iso3, rank FROM marts.indicators "
        "WHERE source_id = 'paper_table1' AND edition_year = 2021 "
        "AND factor_code = 'overall'"))  # fmt: skip
    assert rows == PAPER_TABLE1_2021
    assert built.query(
        "SELECT count(*) FROM marts.indicators "
        "WHERE source_id LIKE 'paper_%' AND edition_year = 2021 AND n_ranked IS NOT NULL"
    ) == [(0,)]  # the paper does not say how many countries 2021 ranked


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


def test_funding_keeps_both_kyrgyz_claims_and_flags_them(built):
    rows = built.query(
        "SELECT claim_id, amount_eur, confidence, is_disputed, source_url FROM marts.funding "
        "WHERE recipient_code = 'KGZ' AND instrument = 'bilateral' ORDER BY amount_eur"
    )
    assert [(float(r[1]), r[2], r[3]) for r in rows] == [
        (174_000_000.0, "official", True),
        (184_000_000.0, "press", True),
    ]
    assert all(r[4].startswith("http") for r in rows)


def test_funding_unknown_amounts_are_empty_with_a_reason(built):
    rows = built.query(
        "SELECT recipient_code, amount_qualifier, amount_missing_reason FROM marts.funding "
        "WHERE amount_eur IS NULL ORDER BY claim_id"
    )
    qualifiers = {r[1] for r in rows}
    assert {"not_eligible", "unknown", "not_transcribed"} <= qualifiers
    assert all(r[2] for r in rows)
    figure = built.query(
        "SELECT recipient_code FROM marts.funding WHERE claim_id LIKE 'paper_figure1_%' "
        "ORDER BY claim_id"
    )
    # TD and TR are the paper's labels for Tajikistan and Turkmenistan, not Chad and Turkey.
    assert [r[0] for r in figure] == ["KAZ", "TJK", "TKM", "UZB"]


def test_timeline_has_every_event_with_errata_attached(built):
    (events,) = built.query("SELECT count(*) FROM marts.timeline")[0]
    assert events > 20
    errata = dict(built.query(
        "SELECT event_id, CAST(erratum_event_date AS VARCHAR) FROM marts.timeline "
        "WHERE erratum IS NOT NULL"))  # fmt: skip
    assert errata == {
        "ev_2019_tokayev_presidential_election": "2019-06-09",
        "ev_2022_eu_kazakhstan_cooperation_council": "2022-06-20",
    }
    # The paper's own date is kept.
    assert built.query(
        "SELECT CAST(event_date AS VARCHAR) FROM marts.timeline "
        "WHERE event_id = 'ev_2019_tokayev_presidential_election'"
    ) == [("2019-03-20",)]
    karakalpakstan = built.query(
        "SELECT deaths_reported, country_iso3s FROM marts.timeline "
        "WHERE event_id = 'ev_2022_karakalpakstan_protests'"
    )
    assert karakalpakstan == [(21, ["UZB"])]


def test_every_citation_resolves_to_a_reference(built):
    assert built.query(
        "SELECT count(*) FROM (SELECT unnest(citation_keys) AS k FROM marts.timeline) "
        "WHERE k NOT IN (SELECT reference_key FROM marts.references)"
    ) == [(0,)]


def test_exports_carry_schema_descriptions_and_provenance(built):
    for spec in MARTS:
        path = built.layout.root / "exports" / f"{spec.name}.parquet"
        schema = pq.read_schema(path)
        assert schema.names == spec.column_names
        assert all(field.metadata and b"description" in field.metadata for field in schema)
        assert b"provenance" in schema.metadata
    money = pq.read_schema(built.layout.root / "exports" / "funding.parquet").field("amount_eur")
    assert str(money.type) == "decimal128(18, 2)"
    dates = pq.read_schema(built.layout.root / "exports" / "timeline.parquet").field("event_date")
    assert str(dates.type) == "date32[day]"


def test_report_rebuilds_the_tables_and_has_charts(built):
    reports = built.layout.root / "reports"
    markdown = (reports / "summary.md").read_text(encoding="utf-8")
    html = (reports / "summary.html").read_text(encoding="utf-8")
    assert (
        "| Global rating | 65 (66 in 2021) | 78 (85 in 2021) | – | 100 (99 in 2021) | – |"
        in markdown
    )
    assert "| Government influence | 9/14 | 35/42 | 106/140 |" in markdown
    assert html.count("<svg") >= 3 and "<script" not in html
    for chart in ("rank_heatmap", "funding_bars", "timeline"):
        assert (reports / "charts" / f"{chart}.svg").is_file()


def _digests(run) -> dict[str, str]:
    root = run.layout.root
    files = sorted((root / "exports").glob("*.parquet")) + sorted((root / "reports").rglob("*.*"))
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def test_two_runs_give_byte_identical_exports_and_reports(built, shared_snapshot, tmp_path):
    with serve({"/roli.json": (200, shared_snapshot, {})}) as url:
        wjp = WjpSnapshotResource(url=f"{url}/roli.json", cache_dir=str(tmp_path / "cache"))
        again = materialize_into(copy_raw(tmp_path), tmp_path / "warehouse", wjp=wjp)
    assert again.result.success
    assert _digests(again) == _digests(built)


def test_bad_raw_file_fails_the_run_naming_file_row_column_rule(published):
    before = _digests(published)
    release_before = published.layout.current_release()
    table1 = published.raw_dir / "paper" / "table1_ranks.csv"
    edit_csv(table1, "2022,62,140", "2022,162,140")  # rank above the 140 countries ranked
    run = materialize_into(published.raw_dir, published.warehouse_dir)
    assert not run.result.success
    failed = [
        e.event_specific_data for e in run.result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.event_specific_data.passed
    ]  # fmt: skip
    messages = "\n".join(f.metadata["messages"].value for f in failed)
    expected = r"raw/paper/table1_ranks\.csv, row \d+, column 'rank': rule 'rank <= n_ranked'"
    assert re.search(expected, messages), messages
    # Nothing was published: the last good release and its files are untouched.
    assert published.layout.current_release() == release_before
    assert _digests(published) == before


def test_rebuild_after_a_fix_publishes_a_new_release_and_keeps_two(published):
    first = published.layout.current_release()
    second = materialize_into(published.raw_dir, published.warehouse_dir)
    third = materialize_into(published.raw_dir, published.warehouse_dir)
    assert second.result.success and third.result.success
    assert published.layout.current_release() != first
    assert len(published.layout.releases()) == 2
