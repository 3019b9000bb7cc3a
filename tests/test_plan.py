"""What a refresh builds for a selection (pipeline/plan.py), on the project's real graph and a
release recorded as the plan itself would record it: no warehouse, no Dagster."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pipeline import lineage
from pipeline.asset_versions import asset_versions
from pipeline.plan import UNAVAILABLE, Inputs, make_plan, stale
from pipeline.settings import MODELS_DIR, REPO_ROOT
from pipeline.transforms.sources.inventory import take_inventory

GRAPH = lineage.build_graph(REPO_ROOT / "raw", MODELS_DIR)
VERSIONS = asset_versions(GRAPH)
INVENTORY = take_inventory(REPO_ROOT / "raw")
FILES = {**INVENTORY.by_asset, lineage.INVENTORY: INVENTORY.inputs}
PER_RELEASE = {"raw_inventory", "mart_release_changes", "export_release_changes"}
PER_RELEASE |= {"report_summary", "warehouse_release"}


@pytest.fixture(scope="module")
def released() -> Inputs:
    """Inputs after a first release built from the repository as it is."""
    first = make_plan(GRAPH, Inputs(VERSIONS, FILES), set(GRAPH.deps))
    published = {
        key: {
            "code_version": VERSIONS[key],
            "data_version": first.data_versions[key],
            "inputs": FILES.get(key, {}),
            **({"status": "loaded"} if key in ("raw_wjp__roli", "raw_vdem__ert") else {}),
        }
        for key in GRAPH.order
    }
    return Inputs(VERSIONS, FILES, "R1", published)


def test_the_first_release_builds_everything_from_empty():
    plan = make_plan(GRAPH, Inputs(VERSIONS, FILES), {"mart_countries"})
    assert plan.fresh and set(plan.built) == set(GRAPH.deps)
    assert plan.built == [k for k in GRAPH.order if k in plan.built], "in build order"


def test_nothing_is_stale_right_after_a_release(released):
    assert stale(GRAPH, released) == {}


def test_a_selection_with_nothing_changed_builds_it_and_what_describes_the_release(released):
    plan = make_plan(GRAPH, released, {"stg_paper__timeline"})
    assert set(plan.built) == {"stg_paper__timeline"} | PER_RELEASE
    assert not plan.fresh
    assert (
        plan.data_versions["stg_paper__timeline"]
        == (released.published["stg_paper__timeline"]["data_version"])
    ), "same code and inputs, same data version: nothing downstream is rebuilt"


def test_an_edited_file_rebuilds_its_table_and_everything_downstream_of_it(released):
    path = "raw/reference/sources.csv"
    files = {k: dict(v) for k, v in FILES.items()}
    files["raw_reference__sources"][path] = "0" * 64
    edited = replace(released, files=files)
    assert stale(GRAPH, edited)["raw_reference__sources"] == f"{path} changed"
    plan = make_plan(GRAPH, edited, {"mart_funding_totals"})
    assert plan.reasons["raw_reference__sources"] == "out of date, and upstream of the selection"
    expected = {"raw_reference__sources"} | GRAPH.downstream("raw_reference__sources")
    assert expected <= set(plan.built)
    assert "mart_timeline" not in plan.built, "nothing that does not read it"


def test_an_edited_file_outside_the_selection_is_left_stale_not_rebuilt(released):
    files = {k: dict(v) for k, v in FILES.items()}
    files["raw_reference__sources"]["raw/reference/sources.csv"] = "0" * 64
    plan = make_plan(GRAPH, replace(released, files=files), {"mart_timeline"})
    assert "raw_reference__sources" not in plan.built
    assert "mart_funding" not in plan.built


def test_a_new_code_version_rebuilds_the_model_and_its_downstream(released):
    versions = dict(VERSIONS) | {"mart_countries": "edited"}
    plan = make_plan(GRAPH, replace(released, code_versions=versions), {"mart_countries"})
    assert set(plan.built) == {"mart_countries"} | GRAPH.downstream("mart_countries") | {
        "raw_inventory"
    }
    assert plan.reasons["export_countries"] == "reads mart_countries, whose data changes"


def test_a_download_unavailable_in_the_release_is_tried_again_for_what_needs_it(released):
    published = {k: dict(v) for k, v in released.published.items()}
    published["raw_wjp__roli"]["status"] = UNAVAILABLE
    unavailable = replace(released, published=published)
    assert "unavailable" in stale(GRAPH, unavailable)["raw_wjp__roli"]
    assert "raw_wjp__roli" not in stale(GRAPH, unavailable, retry_unavailable=False)
    plan = make_plan(GRAPH, unavailable, {"mart_wjp_rank_comparison"})
    assert plan.reasons["raw_wjp__roli"] == "out of date, and upstream of the selection"


def test_transcriptions_checked_against_each_other_are_read_together(released):
    plan = make_plan(GRAPH, released, {"raw_paper__references"})
    partners = GRAPH.together["raw_paper__references"]
    assert partners and partners <= set(plan.built)
    assert all(plan.reasons[p].startswith("checked together with") for p in partners)
    # A partner's own partners are not read (their keys are checked when they change).
    second_hand = set().union(*(GRAPH.together[p] for p in partners)) - partners
    assert not (second_hand - {"raw_paper__references"}) & set(plan.built)
