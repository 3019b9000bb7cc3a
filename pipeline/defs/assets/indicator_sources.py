"""Long-format indicator sources dropped into raw/indicators/ (see the README): one asset per
source, found when the definitions load, each with two blocking checks (origin record, rows).
The rules run as SQL inside DuckDB, so a source of tens of millions of rows never goes through
pandas. `raw_indicators__values` gathers every validated source for marts.indicators.
"""

from pathlib import Path

import dagster as dg

from pipeline import paths
from pipeline.defs.metadata import problems_metadata
from pipeline.defs.resources import RawFilesResource, WarehouseResource
from pipeline.defs.versions import code_version, module_file
from pipeline.schemas.indicator_sources import LONG_SOURCE
from pipeline.schemas.spec import qualified
from pipeline.transforms import indicator_sources as sources_io

GROUP = "raw"
VALUES = "raw_indicators__values"
CHECK_ORIGIN = "origin_record_matches_file"
CHECK_ROWS = "rows_follow_schema"
VERSION = code_version(LONG_SOURCE, module_file("transforms/indicator_sources.py"),
                       module_file("transforms/sql_checks.py"))  # fmt: skip


def source_key(source_id: str) -> dg.AssetKey:
    return dg.AssetKey(f"raw_indicators__{source_id}")


def _source_spec(source_id: str) -> dg.AssetSpec:
    return dg.AssetSpec(
        source_key(source_id),
        group_name=GROUP,
        deps=["raw_reference__iso3166_countries", "raw_reference__countries"],
        description=f"Long-format indicator source `raw/indicators/{source_id}.meta.yml` and "
        "its data file, validated in DuckDB.",
        kinds={"duckdb"},
        code_version=VERSION,
    )


def _checks(source_id: str) -> list[dg.AssetCheckSpec]:
    key = source_key(source_id)
    return [
        dg.AssetCheckSpec(CHECK_ORIGIN, asset=key, blocking=True,
                          description="Origin record complete; checksum matches the data file."),
        dg.AssetCheckSpec(CHECK_ROWS, asset=key, blocking=True,
                          description="Columns, types, keys, declared indicators, value range, "
                          "known countries (SQL generated from the spec)."),
    ]  # fmt: skip


def indicator_sources_asset(raw_dir: Path) -> dg.AssetsDefinition:
    """The multi-asset for the sources declared in `raw_dir/indicators` (one asset each)."""
    declared = sources_io.source_ids(raw_dir)

    @dg.multi_asset(
        name="indicator_sources",
        specs=[_source_spec(s) for s in declared] + [_values_spec(declared)],
        check_specs=[spec for s in declared for spec in _checks(s)],
        op_tags={"stage": "raw"},
    )
    def indicator_sources(
        context: dg.AssetExecutionContext,
        raw_files: RawFilesResource,
        warehouse: WarehouseResource,
    ):
        yield from _materialize_sources(context, raw_files.path, warehouse, declared)

    return indicator_sources


def _values_spec(declared: list[str]) -> dg.AssetSpec:
    return dg.AssetSpec(
        VALUES,
        group_name=GROUP,
        deps=[source_key(s) for s in declared] + ["raw_reference__iso3166_countries"],
        description="`raw.indicator_values`: every validated long-format source, with its "
        "source_id and file (empty when raw/indicators/ declares none).",
        kinds={"duckdb"},
        code_version=VERSION,
    )


def _materialize_sources(context, raw_dir: Path, warehouse: WarehouseResource, declared):
    found = {s.source_id: s for s in sources_io.discover(raw_dir)}
    valid = []
    with warehouse.connect(context.run_id) as con:
        for source_id in declared:
            source = found.get(source_id)
            if source is None:
                raise FileNotFoundError(
                    f"raw/indicators/{source_id}.meta.yml was removed after the definitions "
                    "loaded; reload the definitions (or restart `make dev`)"
                )
            origin_problems, row_problems = _validate(con, source)
            yield from _results(con, source, origin_problems, row_problems)
            if not origin_problems and not row_problems:
                valid.append(source)
        for extra in sorted(found.keys() - set(declared)):
            message = "is new: reload the definitions to add it as an asset; not loaded now"
            context.log.warning(f"raw/indicators/{extra}.meta.yml {message}")
        sources_io.publish_values(con, valid)
        (rows,) = con.execute("SELECT count(*) FROM raw.indicator_values").fetchall()[0]
    yield dg.MaterializeResult(
        asset_key=VALUES,
        metadata={
            "dagster/row_count": dg.MetadataValue.int(rows),
            "dagster/relation_identifier": "raw.indicator_values",
            "sources": ", ".join(s.source_id for s in valid) or "none",
        },
    )


indicator_sources = indicator_sources_asset(paths.raw_dir())


def _validate(con, source) -> tuple[list, list]:
    origin_problems = source.problems + (sources_io.check_origin(source) if source.origin else [])
    if source.data_path is None or not source.data_path.is_file():
        return origin_problems, []
    row_problems = sources_io.load(con, source)
    if not row_problems:
        row_problems = sources_io.validate(con, source)
    return origin_problems, row_problems


def _results(con, source, origin_problems, row_problems):
    key = source_key(source.source_id)
    metadata = {"file": source.shown_data}
    if not row_problems and source.data_path and source.data_path.is_file():
        relation = qualified("raw", source.table)
        (rows,) = con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0]  # noqa: S608
        metadata |= {"dagster/row_count": dg.MetadataValue.int(rows),
                     "dagster/relation_identifier": relation}  # fmt: skip
    yield dg.MaterializeResult(asset_key=key, metadata=metadata)
    yield dg.AssetCheckResult(asset_key=key, check_name=CHECK_ORIGIN,
                              passed=not origin_problems,
                              metadata=problems_metadata(origin_problems))  # fmt: skip
    yield dg.AssetCheckResult(asset_key=key, check_name=CHECK_ROWS, passed=not row_problems,
                              metadata=problems_metadata(row_problems))  # fmt: skip
