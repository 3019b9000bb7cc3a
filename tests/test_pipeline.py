"""The whole graph: its shape derived from the specs and the SQL, every mart published with
its contract columns (each mart's content is tested in tests/marts/), provenance down to every
file and download, one code version over everything that can change an output, the sensor both
ways, a mart added with one SQL file and one spec, and byte-identical results across processes
with different hash seeds.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline.defs.factory import build_definitions
from pipeline.instance import write_instance_file
from pipeline.lineage import Graph, build_graph
from pipeline.settings import MODELS_DIR, PACKAGE_DIR, REPO_ROOT
from pipeline.transforms.models.discover import model_key
from pipeline.transforms.models.run import CHECK_SCHEMA
from pipeline.transforms.publish.export import remove_unlisted
from pipeline.version import code_files, code_version
from tests.harness import Run, copy_raw, copy_run, edit_csv, materialize, project

GRAPH_SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"
MARTS = {m.name: m for m in build_graph(REPO_ROOT / "raw", MODELS_DIR).marts}
# raw_indicators__values only gathers long-format sources, each checked by its own asset.
NOT_BLOCKING = {"raw_indicators__values"}
EXPECTED_GROUPS = {
    "1_raw": 23,
    "2_staging": 10,
    "3_marts": 12,
    "4_exports": 12,
    "5_reports": 1,
    "6_release": 1,
}
WJP_URL = (
    "https://raw.githubusercontent.com/worldjusticeproject/roli-country-profiles/"
    "6dd0f7d3e410e0d3c646663b1aeef7df9f48dae3/data/roli.json"
)
VDEM_URL = (
    "https://raw.githubusercontent.com/vdeminstitute/ERT/"
    "fa95b8bb8d55735019ee10e7cd0f6fa638cc55ef/inst/ert.csv"
)
PINS = {
    WJP_URL: "4edb31071c960e9ca46af22bc1d294efcca653875c49d922140bcdfd435be137",
    VDEM_URL: "39c6ca13363765ec4acf2d4c51052ed531bb49c91937924e0250d5384ad7fa4d",
}
# Every file and download upstream of each mart, at any depth (written out by hand from the
# SQL, so that a lineage that loses one is caught).
INDICATOR_SOURCES = {
    "raw/paper/table1_ranks.csv",
    "raw/paper/table2_kazakhstan_ranks.csv",
    "raw/paper/table2_region_members.csv",
    "raw/reference/countries.csv",
    "raw/reference/factor_crosswalk.csv",
    "raw/reference/iso3166_countries.csv",
    "raw/reference/errata.csv",
    "raw/reference/vdem_regime_types.csv",
    WJP_URL,
    VDEM_URL,
}
PROVENANCE = {
    "indicators": INDICATOR_SOURCES,
    "paper_verification": INDICATOR_SOURCES,
    "funding": {
        "raw/reference/errata.csv",
        "raw/reference/funding_claims.csv",
        "raw/reference/funding_instruments.csv",
        "raw/reference/sources.csv",
        "raw/paper/figure1_bars.csv",
        "raw/reference/countries.csv",
    },
    "timeline": {
        "raw/paper/timeline_events.csv",
        "raw/reference/event_categories.csv",
        "raw/reference/errata.csv",
    },
    "references": {
        "raw/paper/references.csv",
        "raw/reference/reference_checks.csv",
        "raw/reference/errata.csv",
    },
    "errata": {"raw/reference/errata.csv"},
    "countries": {"raw/reference/countries.csv", "raw/paper/table2_region_members.csv"},
    "wjp_rank_comparison": {WJP_URL, "raw/reference/factor_crosswalk.csv"},
}
PROVENANCE["funding_totals"] = PROVENANCE["funding"]

DEFS = build_definitions()


def test_definitions_load_and_validate():
    dg.Definitions.validate_loadable(DEFS)
    assert DEFS.resolve_job_def("refresh") is not None
    assert {s.name for s in DEFS.schedules} == {"weekly_refresh"}
    assert {s.name for s in DEFS.sensors} == {"raw_files_changed"}


def asset_graph_snapshot() -> dict:
    graph = DEFS.resolve_asset_graph()
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


def test_asset_graph_groups_and_lineage_come_from_the_sql():
    graph = DEFS.resolve_asset_graph()
    groups: dict[str, int] = {}
    for key in graph.get_all_asset_keys():
        groups[graph.get(key).group_name] = groups.get(graph.get(key).group_name, 0) + 1
    assert groups == EXPECTED_GROUPS
    parents = {
        k.to_user_string(): {p.to_user_string() for p in graph.get(k).parent_keys}
        for k in graph.get_all_asset_keys()
    }
    assert parents["stg_paper__indicators"] == {
        "raw_paper__table1_ranks",
        "raw_paper__table2_kazakhstan_ranks",
        "raw_reference__countries",
        "raw_reference__factor_crosswalk",
    }
    assert parents["mart_indicators"] == {
        "raw_reference__errata",
        "stg_reference__country_codes",
        "stg_vdem__indicators",
        "stg_paper__verification",
        "stg_wjp__ranks",
        "stg_sources__indicators",
    }
    assert parents["mart_paper_verification"] == {"mart_indicators"}
    assert {"report_summary", "raw_inventory"} <= parents["warehouse_release"]


def test_the_dagster_graph_and_the_derived_lineage_agree_on_every_upstream_closure():
    graph = DEFS.resolve_asset_graph()
    lineage = build_graph(REPO_ROOT / "raw", MODELS_DIR)
    for key in graph.get_all_asset_keys():
        upstream = {k.to_user_string() for k in graph.upstream_key_iterator(key)}
        assert upstream == lineage.upstream(key.to_user_string()), key


def test_every_source_model_and_export_has_a_blocking_check():
    checks = {
        (c.asset_key.to_user_string(), c.name, c.blocking)
        for a in DEFS.resolve_asset_graph().assets_defs
        for c in a.check_specs
    }
    blocking = {key for key, _, is_blocking in checks if is_blocking}
    for key in DEFS.resolve_asset_graph().get_all_asset_keys():
        name = key.to_user_string()
        if name.startswith(("raw_", "mart_", "export_")) and name not in NOT_BLOCKING:
            assert name in blocking, f"{name} has no blocking check"
    models = build_graph(REPO_ROOT / "raw", MODELS_DIR).models
    assert {model.layer for model in models} == {"staging", "marts"}
    for model in models:  # staging models too: each is validated by its spec's schema
        assert (model_key(model), CHECK_SCHEMA, True) in checks, f"{model.relation} unchecked"
    assert any(c[0] == "raw_wjp__roli" and not c[2] for c in checks)  # availability only warns


# The one exception: the SQLite event log's class subclasses Dagster's own storage, which has no
# public import path (dagster.yaml names it by module). tests/test_instance_storage.py fails
# when a Dagster release changes what it relies on.
DAGSTER_INTERNALS_ALLOWED = {"pipeline/instance_storage.py"}


def test_no_module_of_the_pipeline_imports_dagster_internals():
    offenders = [
        f"{path.relative_to(REPO_ROOT)}:{n}"
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if path.relative_to(REPO_ROOT).as_posix() not in DAGSTER_INTERNALS_ALLOWED
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"\bdagster\._|from dagster\._", line)
    ]
    assert offenders == []
    for allowed in DAGSTER_INTERNALS_ALLOWED:  # an exception that is no longer needed goes
        assert "from dagster._" in (REPO_ROOT / allowed).read_text(encoding="utf-8"), allowed


# --- the marts published ----------------------------------------------------------------


def test_full_graph_publishes_the_marts_with_the_contract_columns(built):
    assert built.layout.current_release() is not None
    for table, columns in {
        "indicators": [
            "country_iso3",
            "country_name",
            "edition_year",
            "factor_code",
            "factor_name",
            "paper_label",
            "scope",
            "scope_name",
            "rank",
            "n_ranked",
            "source_id",
            "source_locator",
        ],
        "funding": [
            "recipient_code",
            "recipient_name",
            "period_start_year",
            "period_end_year",
            "amount_eur",
            "amount_qualifier",
            "instrument",
            "source_id",
            "source_url",
            "confidence",
        ],
        "timeline": [
            "event_id",
            "event_date",
            "date_precision",
            "country_iso3s",
            "actor",
            "category",
            "title",
            "description",
            "source_id",
            "source_locator",
            "citation_keys",
            "erratum",
        ],
    }.items():  # noqa: E501
        found = {
            row[0]
            for row in built.query(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = 'marts' AND table_name = ?",
                [table],
            )
        }
        assert set(columns) <= found, f"marts.{table} lacks {set(columns) - found}"
    types = dict(
        built.query(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'marts' AND table_name = 'indicators'"
        )
    )
    assert types["edition_year"] == "INTEGER" and types["rank"] == "INTEGER"


# --- provenance -------------------------------------------------------------------------------


@pytest.mark.parametrize("mart", sorted(PROVENANCE))
def test_each_export_names_every_file_and_download_upstream_with_its_checksum(built, mart):
    exports = built.layout.root / "exports"
    # marts.indicators is one file per source; the paper's Table 1 names every non-added source
    name = f"{mart}/paper_table1" if (exports / mart).is_dir() else mart
    schema = pq.read_schema(exports / f"{name}.parquet")
    assert schema.names == MARTS[mart].spec.column_names
    assert all(field.metadata and b"description" in field.metadata for field in schema)
    sources = json.loads(schema.metadata[b"provenance"])["sources"]
    assert {s["path"] for s in sources} == PROVENANCE[mart]
    for source in sources:
        if source["kind"] == "download":
            assert source["sha256"] == PINS[source["path"]]
            assert source["status"] == "loaded"
        else:
            data = (built.raw_dir / source["path"].removeprefix("raw/")).read_bytes()
            assert source["sha256"] == hashlib.sha256(data).hexdigest()
            assert source["record_path"].endswith(".meta.yml") and source["citation"]
    package = json.loads((exports / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = [r for r in package["resources"] if r["path"] == f"{name}.parquet"]
    listed = {s["path"] for s in resource["sources"]}
    assert listed == {s["url"] or s["path"] for s in sources}


# --- one code version --------------------------------------------------------------------------


@pytest.fixture
def project_copy(tmp_path) -> Path:
    """The package, the lock files and pyproject.toml, copied."""
    root = tmp_path / "project"
    shutil.copytree(PACKAGE_DIR, root / "pipeline", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "requirements.lock"):
        shutil.copy(REPO_ROOT / name, root / name)
    return root


@pytest.mark.parametrize(
    ("relative", "old", "new"),
    [
        ("pipeline/schemas/rules.py", "MAX_TEXT_CHARS = 2000", "MAX_TEXT_CHARS = 2001"),
        ("pipeline/schemas/raw/paper.py", '"Row of the cell in Table 2."', '"Row of Table 2."'),
        ("pipeline/sql/marts/funding.sql", "-- Public mart", "-- The public mart"),
        ("pipeline/sql/marts/funding.yml", "Recipient's name.", "Recipient name."),
        ("pipeline/transforms/report/__init__.py", "summary", "summary "),
        ("pipeline/transforms/report/templates/style.css", "body{", "body {"),
        ("requirements.lock", "duckdb==", "duckdb =="),
    ],
)
def test_any_change_that_can_change_an_output_changes_the_code_version(
    project_copy, relative, old, new
):
    def version():
        return code_version(
            project_copy / "pipeline" / "sql", project_copy / "pipeline", project_copy
        )

    before = version()
    assert version() == before, "the digest is stable"
    path = project_copy / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert version() != before


def test_the_code_version_covers_every_source_sql_and_spec_file():
    names = {name for name, _ in code_files()}
    for path in PACKAGE_DIR.rglob("*"):
        if path.suffix in (".py", ".sql", ".yml") and "__pycache__" not in path.parts:
            assert f"pipeline/{path.relative_to(PACKAGE_DIR).as_posix()}" in names
    assert {"pyproject.toml", "requirements.lock"} <= names


def sensor_result(defs, raw_dir: Path, warehouse_dir: Path):
    resource = project(warehouse_dir.parent, raw_dir)
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_sensor_context(
            instance=instance, resources={"project": resource}, definitions=defs
        )
        return defs.get_sensor_def("raw_files_changed")(context)


def test_the_sensor_requests_nothing_after_a_refresh_and_a_refresh_after_a_change(built, tmp_path):
    unchanged = sensor_result(DEFS, built.raw_dir, built.warehouse_dir)
    assert isinstance(unchanged, dg.SkipReason), unchanged
    raw_dir = tmp_path / "raw"
    shutil.copytree(built.raw_dir, raw_dir)
    edit_csv(raw_dir / "reference" / "sources.csv", "24.kg", "24.kg (Bishkek)")
    changed = sensor_result(DEFS, raw_dir, built.warehouse_dir)
    assert isinstance(changed, dg.RunRequest)
    assert changed.run_key == sensor_result(DEFS, raw_dir, built.warehouse_dir).run_key
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    sql = models / "marts" / "funding.sql"
    sql.write_text(sql.read_text(encoding="utf-8").replace("-- Public", "-- The public"))
    new_code = build_definitions(built.raw_dir, models)
    assert isinstance(sensor_result(new_code, built.raw_dir, built.warehouse_dir), dg.RunRequest)


def test_the_sensor_requests_a_refresh_before_the_first_publish(tmp_path):
    raw_dir = copy_raw(tmp_path)
    assert isinstance(sensor_result(DEFS, raw_dir, tmp_path / "warehouse"), dg.RunRequest)


# --- a mart is one SQL file and one spec ----------------------------------------------------

THROWAWAY_SQL = """-- A throwaway mart: Central Asian countries and how many events name each.
with events as (select unnest(country_iso3s) as country_iso3 from marts.timeline)
select countries.country_iso3, count(events.country_iso3) as events_naming_it
from marts.countries as countries
left join events on events.country_iso3 = countries.country_iso3
where countries.is_central_asia
group by all
"""
THROWAWAY_SPEC = """description: Central Asian countries and the timeline events naming each.
primary_key: [country_iso3]
columns:
  - country_iso3
  - name: events_naming_it
    type: int
    description: Timeline events that name the country.
    rules: [{at_least: 0}]
"""


@dataclass(frozen=True)
class CodeChanged:
    """A refresh over a copy of the published release after the code changed."""

    run: Run
    graph: Graph  # the asset graph of the changed code
    swapped: dict[str, str]  # mart relation -> its materialization in the changed code


@pytest.fixture(scope="module")
def after_a_code_change(offline_release, tmp_path_factory) -> CodeChanged:
    """One refresh for two changes of code (one end-to-end run, two promises): a mart added as
    one SQL file and one spec in a copy of the models, with no Python edited; and a published
    release written by older code, whose marts were of the other kind (a table that is now a
    view, a view that is now a table) and which holds relations nothing builds any more."""
    base = tmp_path_factory.mktemp("code_changed")
    published = copy_run(offline_release, base)
    models = base / "models"
    shutil.copytree(MODELS_DIR, models)
    (models / "marts" / "throwaway.sql").write_text(THROWAWAY_SQL, encoding="utf-8")
    (models / "marts" / "throwaway.yml").write_text(THROWAWAY_SPEC, encoding="utf-8")
    graph = build_graph(published.raw_dir, models)
    swapped = {m.relation: m.materialized for m in graph.marts if not m.computed}
    with duckdb.connect(str(published.layout.published_db)) as con:
        for relation, kind in swapped.items():
            if relation == "marts.throwaway":
                continue  # new in this code: the older release has no such mart
            con.execute(f"CREATE TABLE {relation}_old AS SELECT * FROM {relation}")  # noqa: S608
            con.execute(f"DROP {'VIEW' if kind == 'view' else 'TABLE'} {relation}")
            if kind == "view":  # the older release had it as a table, and the other way round
                con.execute(f"ALTER TABLE {relation}_old RENAME TO {relation.split('.')[1]}")
            else:
                con.execute(f"CREATE VIEW {relation} AS SELECT * FROM {relation}_old")  # noqa: S608
        con.execute("CREATE TABLE raw.a_source_since_removed AS SELECT 1 AS x")
        con.execute("CREATE TABLE staging.stg_since_removed AS SELECT 1 AS x")
    run = materialize(published.raw_dir, base, models_dir=models)
    assert run.result.success, run.failed_checks()
    return CodeChanged(run, graph, swapped)


def test_a_mart_added_as_one_sql_file_and_one_spec_is_built_checked_exported_and_listed(
    after_a_code_change,
):
    run = after_a_code_change.run
    assert run.query("SELECT count(*) FROM marts.throwaway") == [(5,)]
    checks = {
        (e.asset_key.to_user_string(), e.check_name): e.passed
        for e in run.result.get_asset_check_evaluations()
    }
    assert checks[("mart_throwaway", CHECK_SCHEMA)] is True
    assert checks[("export_throwaway", "parquet_matches_mart")] is True
    exports = run.layout.root / "exports"
    assert pq.read_table(exports / "throwaway.parquet").num_rows == 5
    package = json.loads((exports / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = [r for r in package["resources"] if r["name"] == "throwaway"]
    upstream = PROVENANCE["timeline"] | PROVENANCE["countries"]
    assert len(resource["sources"]) == len(upstream)
    schema = pq.read_schema(exports / "throwaway.parquet")
    assert {s["path"] for s in json.loads(schema.metadata[b"provenance"])["sources"]} == upstream
    parents = run.result.job_def.asset_layer.asset_graph.get(
        dg.AssetKey("mart_throwaway")
    ).parent_keys
    assert {k.to_user_string() for k in parents} == {"mart_timeline", "mart_countries"}


# --- determinism across processes, through the CLI --------------------------------------------


def digests(warehouse: Path) -> dict[str, str]:
    files = sorted((warehouse / "exports").rglob("*.*")) + sorted(
        (warehouse / "reports").rglob("*.*")
    )
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def repository_files() -> set[str]:
    """Files in the repository outside ignored build folders (git's own view)."""
    command = ["git", "ls-files", "--others", "--cached", "--exclude-standard"]
    listed = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=True)
    return set(listed.stdout.splitlines())


def test_a_cli_refresh_in_another_process_with_another_hash_seed_gives_the_same_bytes(
    built, source_urls, tmp_path
):
    seed = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
    env = {
        **os.environ,
        "PYTHONHASHSEED": seed,
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "PIPELINE_RAW_DIR": str(built.raw_dir),
        "PIPELINE_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
        "WJP_SNAPSHOT_URL": source_urls["wjp_roli"],
        "VDEM_SNAPSHOT_URL": source_urls["vdem_ert"],
    }
    repo_before = repository_files()
    (tmp_path / "dagster_home").mkdir()
    write_instance_file(tmp_path / "dagster_home")
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "refresh"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (
        "verification: 64 verified, 0 mismatched (0 explained by errata), 8 unverifiable, "
        "0 not checked" in done.stdout
    )
    assert digests(tmp_path / "warehouse") == digests(built.layout.root)
    # Nothing was written outside the warehouse folder (database, exports, reports, download
    # cache, logs) and Dagster's home: not in the working directory, not in the repository.
    written = {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*") if p.is_file()}
    assert written == {"warehouse", "dagster_home"}
    assert (tmp_path / "warehouse" / "cache" / "wjp").is_dir()
    assert repository_files() == repo_before
    again = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "refresh"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert again.returncode == 0 and again.stdout.startswith("Nothing changed since release")


def test_a_refresh_over_an_older_release_keeps_nothing_the_code_no_longer_builds(
    after_a_code_change,
):
    """A build's database starts as a copy of the published one. A release written by older
    code may hold a relation of another kind (a mart that was a table and is now a view) and
    relations no source or model produces any more: the refresh rebuilds every layer from
    empty, so it neither fails on the first nor publishes the second with stale rows. (Exports
    are written into an empty folder by a full refresh; a partial one starts from the published
    exports, which remove_unlisted prunes: tested below.)"""
    again, graph = after_a_code_change.run, after_a_code_change.graph
    kinds = dict(
        again.query(
            "SELECT table_schema || '.' || table_name, table_type FROM information_schema.tables"
        )
    )
    for relation, kind in after_a_code_change.swapped.items():
        assert kinds[relation] == ("VIEW" if kind == "view" else "BASE TABLE"), relation
    built = {m.relation for m in graph.models} | {"marts.release_changes"}
    assert {r for r in kinds if not r.startswith("raw.")} == built
    assert not [r for r in kinds if "removed" in r or r.endswith("_old")]
    exports = {p.name for p in (again.layout.current_release() / "exports").iterdir()}
    files = {f"{m.name}.parquet" for m in graph.marts} - {"indicators.parquet"}
    assert exports == files | {"indicators", "datapackage.json"}  # indicators: one per source


def test_exports_that_no_mart_writes_are_removed_from_a_build(tmp_path):
    for name in ("countries.parquet", "datapackage.json", "since_removed.parquet"):
        (tmp_path / name).write_bytes(b"x")
    removed = remove_unlisted(tmp_path, {"countries.parquet", "datapackage.json"})
    assert removed == ["since_removed.parquet"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["countries.parquet", "datapackage.json"]
