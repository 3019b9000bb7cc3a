"""What the Dagster UI shows, read through Dagster's own API: after a real materialization,
each asset's metadata (row count, column schema with descriptions, preview, where it lives),
each definition's description and code version, the report's Markdown, a failing check's
failure cases, and lineage from the raw files to the marts.

Row counts and column schemas are compared with the warehouse and the Parquet files, so that
metadata which merely exists but says the wrong thing fails too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import dagster as dg
import pyarrow.parquet as pq
import pytest
import yaml

from pipeline.defs.factory import build_definitions
from pipeline.defs.metadata import problems_metadata
from pipeline.lineage import STAGES, build_graph
from pipeline.settings import MODELS_DIR, REPO_ROOT
from pipeline.transforms.models.discover import model_key
from pipeline.transforms.problems import Problem
from pipeline.transforms.sources.download_sources import DOWNLOADS

GRAPH = build_definitions().resolve_asset_graph()
ASSET_NAMES = sorted(key.to_user_string() for key in GRAPH.get_all_asset_keys())
RAW_PREFIXES = ("raw_paper__", "raw_reference__")
LINEAGE = build_graph(REPO_ROOT / "raw", MODELS_DIR)
MARTS = [m.spec for m in LINEAGE.marts]
MART_COLUMNS = {f.name for spec in MARTS for f in spec.fields}


def names(*prefixes: str) -> list[str]:
    return [name for name in ASSET_NAMES if name.startswith(prefixes)]


TABLE_ASSETS = names("mart_", *RAW_PREFIXES, "stg_")  # tables in the warehouse
COUNTED_ASSETS = TABLE_ASSETS + names("export_")
EMPTY_WITHOUT_LONG_SOURCES = {"stg_sources__indicators"}


def stage_of(name: str) -> str:
    if name.startswith("mart_"):
        return "marts"
    if name.startswith(RAW_PREFIXES):
        return "raw"
    if name.startswith("stg_"):
        return "staging"
    return "exports"


@pytest.fixture(scope="module")
def materialized(built) -> dict[str, dict]:
    """Metadata of each asset's materialization in the session run, by asset name."""
    found: dict[str, dict] = {}
    for event in built.result.get_asset_materialization_events():
        materialization = event.materialization
        name = materialization.asset_key.to_user_string()
        assert name not in found, f"{name} materialized twice in one run"
        found[name] = materialization.metadata
    return found


def metadata_of(materialized: dict[str, dict], name: str) -> dict:
    assert name in materialized, f"{name} has no materialization event in the run"
    return materialized[name]


def test_the_graph_has_assets_of_every_stage():
    for prefix in ("mart_", *RAW_PREFIXES, "stg_", "export_"):
        assert names(prefix), f"no asset named {prefix}*"
    assert "report_summary" in ASSET_NAMES


# --- row counts, column schemas, previews ------------------------------------------------------


@pytest.mark.parametrize("name", COUNTED_ASSETS)
def test_materialization_has_a_true_row_count(name, built, materialized):
    metadata = metadata_of(materialized, name)
    assert "dagster/row_count" in metadata, f"{name}: no dagster/row_count ({sorted(metadata)})"
    count = metadata["dagster/row_count"]
    assert isinstance(count, dg.IntMetadataValue)
    if stage_of(name) == "exports":
        base = built.layout.root / "exports" / name.removeprefix("export_")
        # one file, or a folder of one file per source (marts.indicators)
        files = sorted(base.glob("*.parquet")) if base.is_dir() else [Path(f"{base}.parquet")]
        actual = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    else:
        relation = metadata["dagster/relation_identifier"].value
        actual = built.query(f"SELECT count(*) FROM {relation}")[0][0]  # noqa: S608
    assert count.value == actual, f"{name}: row_count {count.value}, table has {actual}"
    # The committed raw/ declares no long-format source, so only that view may be empty.
    assert actual > 0 or name in EMPTY_WITHOUT_LONG_SOURCES, f"{name}: empty"


def table_columns(built, relation: str) -> list[str]:
    return [row[0] for row in built.query(f"DESCRIBE {relation}")]


def preview_header(markdown: str) -> list[str]:
    first = markdown.strip().splitlines()[0]
    assert first.startswith("|") and first.endswith("|"), f"preview is not a table: {first!r}"
    return [cell.strip() for cell in first.strip("|").split("|")]


@pytest.mark.parametrize("name", TABLE_ASSETS)
def test_materialization_has_a_described_column_schema_and_a_preview(name, built, materialized):
    metadata = metadata_of(materialized, name)
    missing = {"dagster/column_schema", "dagster/relation_identifier", "preview"} - set(metadata)
    assert not missing, f"{name}: metadata lacks {sorted(missing)} (has {sorted(metadata)})"

    schema = metadata["dagster/column_schema"]
    assert isinstance(schema, dg.TableSchemaMetadataValue)
    columns = schema.schema.columns
    relation = metadata["dagster/relation_identifier"].value
    # The schema shown is the table's real one, in order.
    assert [c.name for c in columns] == table_columns(built, relation), name
    assert all(c.type for c in columns), f"{name}: columns without a type"
    must_describe: Iterable = (
        columns
        if stage_of(name) in ("marts", "raw")
        else [c for c in columns if c.name in MART_COLUMNS]
    )
    undescribed = [c.name for c in must_describe if not (c.description or "").strip()]
    assert not undescribed, f"{name}: columns without a description: {undescribed}"

    preview = metadata["preview"]
    assert isinstance(preview, dg.MarkdownMetadataValue)
    assert preview_header(preview.value) == [c.name for c in columns]
    if name not in EMPTY_WITHOUT_LONG_SOURCES:
        assert len(preview.value.strip().splitlines()) >= 3, f"{name}: preview has no rows"


# --- definitions: descriptions and code versions ------------------------------------------------


@pytest.mark.parametrize("name", ASSET_NAMES)
def test_asset_definition_has_a_description_a_code_version_a_layer_and_an_owner(name):
    node = GRAPH.get(dg.AssetKey(name))
    assert (node.description or "").strip(), f"{name} has no description"
    assert (node.code_version or "").strip(), f"{name} has no code_version"
    stage = LINEAGE.stages[name]
    assert node.tags.get("layer") == stage, node.tags
    assert node.group_name.endswith(f"_{stage}")
    assert node.owners and all(o.startswith("team:") or "@" in o for o in node.owners)


def test_groups_sort_in_the_order_the_data_flows():
    """The UI lists groups by name: the numbered names follow the stages."""
    groups = {GRAPH.get(k).group_name for k in GRAPH.get_all_asset_keys()}
    assert [g.split("_", 1)[1] for g in sorted(groups)] == list(STAGES)


@pytest.mark.parametrize("model", LINEAGE.models, ids=lambda m: m.name)
def test_every_model_has_a_code_reference_to_its_sql_and_spec(model):
    references = GRAPH.get(dg.AssetKey(model_key(model))).metadata["dagster/code_references"]
    files = {Path(r.file_path) for r in references.code_references}
    if model.computed:
        assert files == {model.path}
        return
    assert model.path in files and all(f.is_file() for f in files)
    if model.spec is not None and model.path.with_suffix(".yml").is_file():
        assert model.path.with_suffix(".yml") in files


def test_paths_in_metadata_are_where_the_settings_put_them(built, materialized):
    """The session build's warehouse is in a temporary folder, not warehouse/."""
    for name in names("export_"):
        path = Path(metadata_of(materialized, name)["path"].value)
        published = path.is_file() or (path.is_dir() and any(path.glob("*.parquet")))
        assert path.is_relative_to(built.warehouse_dir) and published, path
    report = Path(metadata_of(materialized, "report_summary")["html_path"].value)
    assert report == built.layout.root / "reports" / "summary.html" and report.is_file()
    release = metadata_of(materialized, "warehouse_release")
    assert Path(release["release path"].value) == built.layout.current_release()
    assert release["release"].value == built.layout.current_release().name


@pytest.mark.parametrize("source", DOWNLOADS, ids=lambda s: s.source_id)
def test_downloads_show_their_schema_preview_checksum_and_urls(built, materialized, source):
    metadata = metadata_of(materialized, source.asset_name)
    schema = metadata["dagster/column_schema"].schema
    assert [c.name for c in schema.columns] == source.tables[0].column_names
    assert all(c.description for c in schema.columns)
    assert preview_header(metadata["preview"].value) == source.tables[0].column_names
    record = yaml.safe_load(source.record_path(built.raw_dir).read_text(encoding="utf-8"))
    assert metadata["sha256"].value == record["sha256"]
    assert metadata["pinned url"].value == record["url"]
    assert isinstance(metadata["url used"], dg.UrlMetadataValue)


def test_every_materialization_names_the_published_release(built, materialized):
    release = built.layout.current_release().name
    for name, metadata in materialized.items():
        assert metadata["release"].value == release, name


# --- the report ---------------------------------------------------------------------------------


def test_report_materialization_carries_the_markdown(built, materialized):
    metadata = metadata_of(materialized, "report_summary")
    assert "report" in metadata, sorted(metadata)
    report = metadata["report"]
    assert isinstance(report, dg.MarkdownMetadataValue)
    assert "Table 1" in report.value and "Table 2" in report.value
    on_disk = (built.layout.root / "reports" / "summary.md").read_text(encoding="utf-8")
    assert report.value == on_disk, "the UI shows another report than the one published"


# --- checks: passing ones say so, a failing one shows where and why -----------------------------


def test_passing_checks_report_zero_failures(built):
    evaluations = built.result.get_asset_check_evaluations()
    assert evaluations, "no asset check was evaluated"
    for evaluation in evaluations:
        where = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        assert evaluation.passed, f"{where} failed on the committed raw files"
        if "failure_count" in evaluation.metadata:
            assert evaluation.metadata["failure_count"].value == 0, where
            assert evaluation.metadata["failure_cases"].records == [], where


# --- lineage ------------------------------------------------------------------------------------


def ancestors(name: str) -> set[str]:
    seen: set[str] = set()
    stack = [dg.AssetKey(name)]
    while stack:
        for parent in GRAPH.get(stack.pop()).parent_keys:
            if parent.to_user_string() not in seen:
                seen.add(parent.to_user_string())
                stack.append(parent)
    return seen


def test_mart_indicators_lineage_reaches_the_paper_and_wjp():
    upstream = ancestors("mart_indicators")
    assert {
        "raw_paper__table1_ranks",
        "raw_paper__table2_kazakhstan_ranks",
        "raw_wjp__roli",
    } <= upstream, sorted(upstream)
    assert {"stg_paper__indicators", "stg_wjp__ranks"} <= upstream
    # Lineage is directed: nothing downstream of the mart is counted as its source.
    assert not {"export_indicators", "report_summary"} & upstream


# --- failure cases fit their panel --------------------------------------------------------------


def test_a_checksum_in_a_failure_table_is_cut_short_and_kept_whole_in_the_text():
    pinned, found = hashlib.sha256(b"pinned").hexdigest(), hashlib.sha256(b"found").hexdigest()
    problem = Problem(
        "raw/wjp/roli.meta.yml", 7, "sha256", "checksum matches", found, fix=f"pin {pinned}"
    )
    metadata = problems_metadata([problem])
    (record,) = metadata["failure_cases"].records
    assert found not in record.data["value"] and found[:12] in record.data["value"]
    assert len(record.data["value"]) < 20
    assert found in metadata["messages"].value and pinned in metadata["messages"].value
