"""What a refresh reuses from the published release instead of building it again: an unchanged
long-format source (raw/indicators/), and its part of marts.indicators and of its export.

- The source. The plan (plan.py) marks a long-format source reused when its data version is the
  published one: its data file and origin record have the sha256 the release read, the code that
  reads, types and checks it is the same, and so are the tables it is checked against. Its
  typed table is then the published one, in the build's copy of the release's DuckDB file (which
  was verified by checksum before it was copied, pipeline/integrity.py); the build checks that
  the table holds the rows the release recorded, or reads the source again, saying why.
- Its part. marts.indicators is a view over every source; its export is one Parquet file per
  source, `exports/indicators/<source_id>.parquet`. A long-format source's part is reused (its
  rows not checked, compared or counted again, its file not written again) when the source is
  reused and nothing else its rows are made from changed: the part's key is a digest of the
  source's data version, the code versions of the models and export on its way to the file, the
  data versions of the other files and downloads upstream of the export (the countries its rows
  are named by, ...), and the country codes every source declares. The key is recorded in the
  manifest (`parts`), and the published file must still have the sha256 the manifest lists.

Belongs here: those decisions, their checks and their record. Stays out: planning (plan.py),
running the stages (stages.py, build.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline import lineage, release
from pipeline.asset_versions import own_versions
from pipeline.plan import Inputs, Plan, make_plan, read_again
from pipeline.schemas.rules import sql_literal
from pipeline.transforms import files
from pipeline.transforms.duck import relations, run
from pipeline.transforms.sources.indicator_sources import COUNTRY_CODES, FOLDER, source_table
from pipeline.version import digest

MART = "indicators"  # the mart exported one file per source
MART_RELATION = f"marts.{MART}"
PARTS_DIR = MART  # exports/indicators/<source_id>.parquet
CHANGED = "what its rows are made from changed (the code or the tables it is joined with)"
STATED = "stated "  # the inventory's value for a long source's data file: its record's sha256


def part_path(source_id: str) -> str:
    """A source's part of the indicators export, relative to the release."""
    return f"exports/{PARTS_DIR}/{source_id}.parquet"


@dataclass
class Parts:
    """The parts of marts.indicators of long-format sources in a build."""

    keys: dict[str, str] = field(default_factory=dict)  # source_id -> its part's key
    rows: dict[str, int] = field(default_factory=dict)  # source_id -> its rows
    reused: set[str] = field(default_factory=set)  # parts that are the published release's
    redone: dict[str, str] = field(default_factory=dict)  # reused source -> why its part is not

    def where_built(self, column: str = "source_id") -> str:
        """A SQL condition true for the rows this build checks, compares and writes."""
        if not self.reused:
            return "TRUE"
        listed = ", ".join(sql_literal(s) for s in sorted(self.reused))
        return f"{column} NOT IN ({listed})"

    @property
    def reused_rows(self) -> dict[str, dict[str, int]]:
        """{mart: {source_id: rows}} of the reused parts, as the release counted them."""
        return {MART: {s: self.rows[s] for s in sorted(self.reused)}} if self.reused else {}

    def manifest(self) -> dict:
        return {
            MART: {
                s: {"key": k, "rows": self.rows[s]}
                for s, k in sorted(self.keys.items())
                if s in self.rows
            }
        }


# Relations that hold every row of a reused part, one row per row (counted, not scanned), and
# table marts made of them whose rows of a reused part are kept: {mart: its rows of the parts}.
PART_RELATIONS = ("marts.indicators", "staging.stg_sources__indicators")
SPLIT_MARTS = {"coverage": "mart = 'indicators'"}


def known_rows(parts: Parts, relation: str) -> tuple[str, int]:
    """(the rows of `relation` to count, the rows known): the reused parts' rows are known."""
    if relation not in PART_RELATIONS or not parts.reused:
        return "TRUE", 0
    return parts.where_built(), sum(parts.rows[s] for s in parts.reused)


def split_marts(parts: Parts) -> dict[str, tuple[str, str, str]]:
    """run_models' `split`: each mart of SPLIT_MARTS keeps its rows of the reused parts and
    builds the others from the rows of marts.indicators this build checks."""
    if not parts.reused:
        return {}
    listed = ", ".join(sql_literal(s) for s in sorted(parts.reused))
    return {
        mart: (f"{rows} AND source_id IN ({listed})", MART_RELATION, parts.where_built())
        for mart, rows in SPLIT_MARTS.items()
    }


def typed_rows(con, source_key: str) -> int | None:
    """Rows of a long-format source's typed table in the build (None when it has none)."""
    source_id = source_key.removeprefix(lineage.long_source_key(""))
    table = source_table(source_id)
    if table.split(".", 1)[1].strip('"') not in relations(con, "raw"):
        return None
    return run(con, f"SELECT count(*) FROM {table}")[0][0]  # noqa: S608 (checked slug)


def source_problems(con, raw_dir, inputs: Inputs, reused, manifest: dict) -> dict[str, str]:
    """{source key: why it cannot be reused} for the sources a plan reuses: the data file must
    have the sha256 its record states (the plan compares the stated ones: the file itself is
    hashed here, as a read would), and the typed table must be in the build's copy with the
    rows the release recorded."""
    problems = {}
    for key in reused:
        recorded = manifest.get("assets", {}).get(key, {}).get("rows")
        if changed := _data_changed(raw_dir, inputs.files.get(key, {})):
            problems[key] = changed
            continue
        found = typed_rows(con, key)
        if recorded is None:
            problems[key] = "the release's manifest has no row count for it (an older release)"
        elif found is None:
            problems[key] = "its typed table is missing from the release's warehouse.duckdb"
        elif found != recorded:
            problems[key] = f"its typed table holds {found:,} rows, the release {recorded:,}"
    return problems


def _data_changed(raw_dir, inputs: dict[str, str]) -> str:
    """What differs between a source's data file and the sha256 its record states, or ''."""
    for shown, value in sorted(inputs.items()):
        if not value.startswith(STATED):
            continue
        path = raw_dir / FOLDER / shown.rsplit("/", 1)[-1]
        try:
            files.check_readable(path, raw_dir, files.MAX_SOURCE_BYTES)
        except files.FileRefused as refused:
            return f"{shown} cannot be read ({refused})"
        if (found := files.sha256_file(path)) != value.removeprefix(STATED):
            return f"{shown} has sha256 {found[:12]}, its record states {value[len(STATED) :][:12]}"
    return ""


def decide(con, graph: lineage.Graph, plan, code_versions, manifest: dict, build_dir) -> Parts:
    """Each long-format source's part key, and which parts are reused (module docstring); the
    published file of a reused part is verified by its sha256 in the build's copy.
    `code_versions`: each asset's own (asset_versions.own_versions: not those of what it reads,
    which change with every source added)."""
    export = lineage.export_key(MART)
    upstream = graph.upstream(export) | {export}
    long_keys = set(graph.long_sources_keys) | {lineage.VALUES_ASSET}
    split = {graph.producers[f"marts.{m}"] for m in SPLIT_MARTS}
    models = sorted(k for k in upstream | split if graph.stages[k] != lineage.RAW)
    others = sorted(k for k in upstream - long_keys if graph.stages[k] == lineage.RAW)
    declared = run(
        con,
        f"SELECT coalesce(string_agg(concat_ws('|', source_id, code, name, status, maps_to), "  # noqa: S608
        f"';' ORDER BY source_id, code), '') FROM {COUNTRY_CODES}",
    )[0][0]
    shared = [
        *(f"{k}={code_versions[k]}" for k in models),
        *(f"{k}={plan.data_versions[k]}" for k in others),
        declared,
    ]
    published = manifest.get("parts", {}).get(MART, {})
    sealed = manifest.get("files", {})
    parts = Parts()
    for source_id in graph.long_sources:
        key = lineage.long_source_key(source_id)
        parts.keys[source_id] = digest([plan.data_versions[key], *shared])
        before = published.get(source_id, {})
        if key not in plan.reused:
            continue
        copy = build_dir / part_path(source_id)
        if before.get("key") != parts.keys[source_id]:
            parts.redone[source_id] = CHANGED
        elif not copy.is_file() or release.digest(copy) != sealed.get(part_path(source_id)):
            parts.redone[source_id] = f"{part_path(source_id)} fails its checksum"
        else:
            parts.reused.add(source_id)
            parts.rows[source_id] = int(before["rows"])
    return parts


def verify_sources(stage, inputs: Inputs, selected: set[str], plan: Plan, manifest: dict) -> Plan:
    """The plan, once the published copy of each source it reuses is verified in the build
    (source_problems): a source whose copy fails is read again. Says, one line per long-format
    source of the release, that it is reused, or read again and why."""
    raw_dir = stage.settings.raw_dir
    problems = source_problems(stage.con, raw_dir, inputs, plan.reused, manifest)
    failed = {key: why for key, why in problems.items()}
    if failed:
        plan = make_plan(stage.graph, inputs, selected, failed, reuse=True)
    for key in plan.reused:
        read = sorted(inputs.files[key].items())
        files = ", ".join(f"{path} {sha.removeprefix(STATED)[:12]}" for path, sha in read)
        stage.log(
            f"{key}: reused from release {manifest.get('release_id')}, not read again "
            f"(unchanged: {files}; its typed table verified)"
        )
    for key, why in read_again(stage.graph, inputs, plan).items():
        stage.log(f"{key}: read again: {why}")
    return plan


def parts_of(stage, plan: Plan, manifest: dict) -> Parts:
    """`decide` in a build, saying which parts are reused and why a reused source's is not."""
    code_versions = own_versions(stage.graph)
    parts = decide(stage.con, stage.graph, plan, code_versions, manifest, stage.build.directory)
    for source_id in sorted(parts.reused):
        stage.log(f"{part_path(source_id)}: reused, its rows not checked or written again")
    for source_id, why in sorted(parts.redone.items()):
        stage.log(f"{part_path(source_id)}: checked and written again: {why}")
    return parts
