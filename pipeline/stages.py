"""The stages of a refresh, each building the assets of a plan that belong to it inside the
run's build: the sources, the models, the exports with the data package, and the report. Each
returns one Outcome per asset it built, with its checks; none raises on bad data.

Belongs here: running one stage for a set of assets. Stays out: deciding what to build
(plan.py), the order of stages and publishing (build.py), Dagster.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline import lineage, release, reuse
from pipeline.schemas.rules import sql_literal
from pipeline.settings import Settings
from pipeline.transforms import counting_queries
from pipeline.transforms.duck import drop_relation, relations, summarize
from pipeline.transforms.models.discover import LAYERS, model_key
from pipeline.transforms.models.run import run_models
from pipeline.transforms.outcome import Outcome
from pipeline.transforms.problems import Problem
from pipeline.transforms.publish.datapackage import package_descriptor, resource_descriptor
from pipeline.transforms.publish.export import (
    read_back_problems,
    remove_unlisted,
    write_export,
    write_json,
)
from pipeline.transforms.report import build_report
from pipeline.transforms.report.load_inputs import load_report_inputs
from pipeline.transforms.sources.provenance import source_files_of
from pipeline.transforms.sources.read_all import DownloadOptions, read_sources

CHECK_READ_BACK = "parquet_matches_mart"
DATAPACKAGE = "datapackage.json"
# Relations kept in the raw schema besides those an asset produces: the provenance rows.
KEPT_RAW = {"source_files"}


@dataclass
class Stage:
    """What every stage works with: the build's database and folder, the graph, the release
    the build started from, and where messages go."""

    con: duckdb.DuckDBPyConnection
    settings: Settings
    graph: lineage.Graph
    build: release.Build
    previous: Path | None  # the published release's folder, None before the first
    previous_id: str | None
    log: Callable[[str], None]
    parts: reuse.Parts = field(default_factory=reuse.Parts)  # parts of marts.indicators reused

    def __post_init__(self) -> None:
        """Validation's queries kept by earlier processes of this code (counting_queries.py)."""
        if note := counting_queries.use(self.settings.cache_dir):
            self.log(note)


def prune_unproduced(stage: Stage) -> list[str]:
    """Drop the relations of a build copied from the published release that no asset produces
    any more (a mart removed, a source dropped), so they are not published again."""
    produced = set(stage.graph.producers) | {f"raw.{name}" for name in KEPT_RAW}
    dropped = []
    for schema in ("raw", *LAYERS):
        for name in sorted(relations(stage.con, schema)):
            if f"{schema}.{name}" not in produced:
                drop_relation(stage.con, schema, name)
                dropped.append(f"{schema}.{name}")
    return dropped


def sources(
    stage: Stage, keys: list[str], options: DownloadOptions, fresh: bool, reused=()
) -> list[Outcome]:
    """Read and check the source assets `keys` (all of them in a fresh build); the long-format
    sources `reused` (asset keys) are kept from the published release, not read."""
    outcomes = read_sources(
        stage.con,
        stage.settings,
        stage.graph.long_sources,
        options,
        stage.log,
        only=None if fresh else stage.graph.chosen_sources(keys),
        reused=tuple(s for s in stage.graph.long_sources if lineage.long_source_key(s) in reused),
    )
    return [o for o in outcomes if o.asset_key in keys]


def models(stage: Stage, keys: list[str], fresh: bool) -> list[Outcome]:
    """Build the models `keys` in order and check them; say which checks passed by a mart's
    (a model's rows validated in a mart built with it: run_models)."""
    chosen = [m for m in stage.graph.models if model_key(m) in keys]
    compared = [m for m in stage.graph.marts if not m.computed]
    checked = {relation: stage.parts.where_built() for relation in reuse.PART_RELATIONS}
    split = reuse.split_marts(stage.parts)
    outcomes = run_models(
        stage.con,
        chosen,
        stage.previous,
        stage.previous_id,
        compared,
        fresh,
        checked,
        stage.parts.reused_rows,
        split,
    )
    for outcome in outcomes:
        for check, note in outcome.notes.items():
            stage.log(f"{outcome.relation}: {check} {note}")
    return outcomes


def exports(stage: Stage, keys: list[str]) -> list[Outcome]:
    """Write each chosen mart to `exports/<mart>.parquet` with its provenance (every file and
    download upstream of it, at any depth, with its checksum), read it back, and describe every
    export of the build in `exports/datapackage.json`. marts.indicators is written one file per
    source (`exports/indicators/<source_id>.parquet`), the parts a build reuses left as
    published (pipeline/reuse.py)."""
    exports_dir = stage.build.exports_dir
    written = {f"{m.name}.parquet" for m in stage.graph.marts} | {DATAPACKAGE, reuse.PARTS_DIR}
    written.discard(f"{reuse.MART}.parquet")
    for name in remove_unlisted(exports_dir, written):
        stage.log(f"exports/{name}: no mart writes it any more; not published again")
    outcomes, resources = [], []
    for mart in stage.graph.marts:
        sources = source_files_of(stage.con, stage.graph.sources_of(model_key(mart)))
        key = lineage.export_key(mart.name)
        if mart.name == reuse.MART:
            if key in keys:
                outcomes.append(_export_parts(stage, mart, sources))
            for path in sorted((exports_dir / reuse.PARTS_DIR).glob("*.parquet")):
                own = _part_sources(stage, sources, path.stem)
                resources.append(resource_descriptor(mart.spec, own, path.stem))
            continue
        resources.append(resource_descriptor(mart.spec, sources))
        if key not in keys:
            continue
        path = exports_dir / f"{mart.name}.parquet"
        rows = write_export(stage.con, mart.quoted, mart.spec, path, {"sources": sources})
        problems = read_back_problems(path, mart.spec, rows)
        outcome = Outcome(key, None, {"dagster/row_count": rows, "sources": len(sources)})
        outcome.checks[CHECK_READ_BACK] = [_read_back_problem(path, p) for p in problems]
        outcome.files = {"path": f"exports/{path.name}"}
        outcomes.append(outcome)
    write_json(exports_dir / DATAPACKAGE, package_descriptor(resources))
    return outcomes


def _export_parts(stage: Stage, mart, sources: list[dict]) -> Outcome:
    """marts.indicators, one file per source in key order (the files' names sort as their
    source ids do), each with the provenance of its own rows: the files and downloads upstream
    of the mart but the other long-format sources. A reused part stays as published."""
    folder = stage.build.exports_dir / reuse.PARTS_DIR
    folder.mkdir(exist_ok=True)
    counts = stage.con.execute(
        f"SELECT source_id, count(*) FROM {mart.quoted} "  # noqa: S608
        f"WHERE {stage.parts.where_built()} GROUP BY 1 ORDER BY 1"
    ).fetchall()
    problems, total = [], sum(stage.parts.reused_rows.get(reuse.MART, {}).values())
    for source_id, count in counts:
        own = _part_sources(stage, sources, source_id)
        path = folder / f"{source_id}.parquet"
        relation = f"(SELECT * FROM {mart.quoted} WHERE source_id = {sql_literal(source_id)})"  # noqa: S608
        rows = write_export(stage.con, relation, mart.spec, path, {"sources": own})
        problems += [_read_back_problem(path, p) for p in read_back_problems(path, mart.spec, rows)]
        total += rows
        if source_id in stage.parts.keys:
            stage.parts.rows[source_id] = rows
        if rows != count:
            problems.append(_read_back_problem(path, f"{rows} rows written, the mart has {count}"))
    kept = {f"{s}.parquet" for s, _ in counts} | {f"{s}.parquet" for s in stage.parts.reused}
    for name in remove_unlisted(folder, kept):
        stage.log(f"exports/{reuse.PARTS_DIR}/{name}: its source has no rows any more")
    outcome = Outcome(
        lineage.export_key(mart.name), None, {"dagster/row_count": total, "sources": len(sources)}
    )
    outcome.checks[CHECK_READ_BACK] = problems
    outcome.files = {"path": f"exports/{reuse.PARTS_DIR}/"}
    return outcome


def _part_sources(stage: Stage, sources: list[dict], source_id: str) -> list[dict]:
    """The provenance of one source's part: the mart's, but the other long-format sources."""
    long_keys = {lineage.long_source_key(s): s for s in stage.graph.long_sources}
    return [s for s in sources if long_keys.get(s["asset_key"], source_id) == source_id]


def _read_back_problem(path: Path, message: str) -> Problem:
    return Problem(f"exports/{path.name}", None, None, "the file reads back as the mart", message)


def report(stage: Stage, accepted: tuple[str, ...]) -> Outcome:
    """`reports/summary.md`, `summary.html` and `charts/*.svg`, from the marts of the build."""
    marts = {m.name: m for m in stage.graph.marts}
    built = build_report(load_report_inputs(stage.con, marts, accepted))
    reports_dir = stage.build.reports_dir
    charts_dir = reports_dir / "charts"
    charts_dir.mkdir(parents=True, exist_ok=True)
    for old in charts_dir.glob("*.svg"):
        old.unlink()
    for name, svg in built.charts.items():
        (charts_dir / f"{name}.svg").write_text(svg, encoding="utf-8")
    (reports_dir / "summary.md").write_text(built.markdown, encoding="utf-8")
    (reports_dir / "summary.html").write_text(built.html, encoding="utf-8")
    outcome = Outcome(
        lineage.REPORT,
        metadata={"report": built.markdown, "html_bytes": len(built.html.encode())},
    )
    outcome.files = {"html_path": "reports/summary.html", "markdown_path": "reports/summary.md"}
    return outcome


def describe(stage: Stage, outcomes: list[Outcome]) -> None:
    """Summarize each outcome's relation for the UI, while the build's database is open (the
    rows of reused parts counted as the release counted them, not again)."""
    for outcome in outcomes:
        if outcome.relation:
            known = reuse.known_rows(stage.parts, outcome.relation)
            outcome.summary = summarize(stage.con, outcome.relation, *known)
    counting_queries.save()  # the queries this stage made, for the next process


def connect(build: release.Build, memory_limit: str):
    """A read-write connection to a build's database (never the published one), in the storage
    format every DuckDB 1.4 and later reads, spilling into the build's own folder."""
    import duckdb

    return duckdb.connect(
        str(build.db_path),
        config={
            "memory_limit": memory_limit,
            "temp_directory": str(build.directory / "duckdb_tmp"),
            "storage_compatibility_version": release.STORAGE_VERSION,
        },
    )
