"""Raw layer: each transcribed CSV in raw/ becomes a typed table in the build's `raw` schema.

One step reads every raw file (they are tiny; a step per file would cost more in framework
overhead than the work), but each file is its own asset with its own two blocking checks:
its origin record (complete, checksum matches) and its rows (pandera rules and links to other
raw files). A failed check stops everything downstream, so nothing is published.
"""

import dagster as dg

from pipeline.defs.metadata import problems_metadata, relation_metadata, spec_metadata
from pipeline.defs.resources import RawFilesResource, WarehouseResource
from pipeline.defs.versions import code_version, module_file
from pipeline.schemas.raw import RAW_TABLES, SOURCE_FILES, RawTable
from pipeline.transforms.duck import load_frame
from pipeline.transforms.raw_io import RawFile, read_raw_file, source_files_frame
from pipeline.transforms.raw_relations import relation_problems

GROUP = "raw"
CHECK_ORIGIN = "origin_record_matches_file"
CHECK_ROWS = "rows_follow_schema"
ORIGIN_PROBLEM_COLUMNS = {"sha256", "columns", "title", "producer", "citation", "locator",
                          "license", "transcription", "url", "date_accessed"}  # fmt: skip


def raw_asset_key(table: RawTable) -> dg.AssetKey:
    return dg.AssetKey(table.asset_name)


def _asset_spec(table: RawTable) -> dg.AssetSpec:
    return dg.AssetSpec(
        key=raw_asset_key(table),
        group_name=GROUP,
        description=f"{table.spec.description}\n\nFile: `raw/{table.relative_path}` "
        f"(origin record beside it).",
        metadata={**spec_metadata(table.spec), "path": f"raw/{table.relative_path}"},
        code_version=code_version(
            table.spec,
            module_file("transforms/raw_io.py"),
            module_file("transforms/raw_relations.py"),
        ),
        kinds={"csv", "duckdb"},
    )


def _check_specs(table: RawTable) -> list[dg.AssetCheckSpec]:
    key = raw_asset_key(table)
    return [
        dg.AssetCheckSpec(CHECK_ORIGIN, asset=key, blocking=True,
                          description="The origin record is complete and its sha256 matches."),
        dg.AssetCheckSpec(CHECK_ROWS, asset=key, blocking=True,
                          description="Header, types, pandera rules, and keys into other files."),
    ]  # fmt: skip


@dg.multi_asset(
    name="raw_tables",
    specs=[_asset_spec(t) for t in RAW_TABLES],
    check_specs=[spec for t in RAW_TABLES for spec in _check_specs(t)],
    op_tags={"stage": "raw"},
)
def raw_tables(context: dg.AssetExecutionContext, raw_files: RawFilesResource,
               warehouse: WarehouseResource):  # fmt: skip
    """Read and check every raw file; load the ones that pass into `raw.<table>`."""
    files = {t.name: read_raw_file(t, raw_files.path) for t in RAW_TABLES}
    readable = {name: f.frame for name, f in files.items() if f.frame is not None}
    for name, problems in relation_problems(readable).items():
        files[name].problems += problems
    warehouse.start_build(context.run_id)
    with warehouse.connect(context.run_id) as con:
        for raw_file in files.values():
            yield from _materialize(con, raw_file)
        if not any(f.problems for f in files.values()):
            load_frame(con, "raw", SOURCE_FILES, source_files_frame(files.values()))


def _materialize(con, raw_file: RawFile):
    key = raw_asset_key(raw_file.table)
    origin_problems = [p for p in raw_file.problems if _is_origin_problem(p)]
    row_problems = [p for p in raw_file.problems if not _is_origin_problem(p)]
    metadata = {"path": raw_file.display_path, "sha256": raw_file.sha256}
    if raw_file.frame is not None and not raw_file.problems:
        spec = raw_file.table.spec
        load_frame(con, "raw", spec, raw_file.frame)
        metadata |= relation_metadata(con, "raw", spec.name, spec)
    yield dg.MaterializeResult(asset_key=key, metadata=metadata)
    yield _check_result(key, CHECK_ORIGIN, origin_problems)
    yield _check_result(key, CHECK_ROWS, row_problems)


def _is_origin_problem(problem) -> bool:
    return problem.file.endswith(".meta.yml")


def _check_result(key: dg.AssetKey, name: str, problems) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=name,
        passed=not problems,
        metadata=problems_metadata(problems),
    )
