"""Sources: every file the warehouse is built from, read in one step (the files are small or
read by DuckDB; a step per file would cost more in framework overhead than the work), each
reported as its own asset with its own blocking checks:

- `raw_inventory`: every file under raw/ is declared (by a spec or an origin record);
- one asset per transcription (raw/paper/, raw/reference/): its origin record, its rows;
- one asset per pinned download (WJP): its pin (valid, and met when it changed), and a
  warning when the file could not be had this refresh;
- one asset per long-format source (raw/indicators/): its origin record, its rows;
- `raw_indicators__values`: the valid long-format sources gathered for marts.indicators.

A failed blocking check stops everything downstream, so nothing is published.
"""


import dagster as dg

from pipeline import lineage, release
from pipeline.defs.metadata import problems_metadata, relation_metadata, spec_metadata
from pipeline.defs.resources import ProjectResource
from pipeline.schemas.origin import DOWNLOAD, LONG_SOURCE, TRANSCRIPTION
from pipeline.schemas.raw import RAW_TABLES
from pipeline.schemas.spec import qualified
from pipeline.transforms import download_sources, indicator_sources, provenance, transcriptions
from pipeline.transforms.duck import ensure_schema, run
from pipeline.transforms.inventory import take_inventory

GROUP = "raw"
CHECK_DECLARED = "every_file_is_declared"
CHECK_ORIGIN = "origin_record_matches_file"
CHECK_ROWS = "rows_follow_schema"
CHECK_PIN = "pin_is_valid_and_met"
CHECK_AVAILABLE = "snapshot_available"


def _check(key: str, name: str, description: str, blocking: bool = True) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(name, asset=key, blocking=blocking, description=description)


def _specs(graph: lineage.Graph, version: str) -> tuple[list[dg.AssetSpec], list]:
    specs = [
        dg.AssetSpec(
            lineage.INVENTORY,
            group_name=GROUP,
            description="Every file under raw/ with its checksum: what this refresh read.",
            code_version=version,
            kinds={"duckdb"},
        )
    ]
    checks = [_check(lineage.INVENTORY, CHECK_DECLARED, "No file under raw/ is undeclared.")]
    for table in RAW_TABLES:
        specs.append(
            dg.AssetSpec(
                table.asset_name,
                group_name=GROUP,
                description=f"{table.spec.description}\n\nFile: `raw/{table.relative_path}` "
                "(origin record beside it).",
                metadata={**spec_metadata(table.spec), "path": f"raw/{table.relative_path}"},
                code_version=version,
                kinds={"csv", "duckdb"},
            )
        )
        checks += [
            _check(table.asset_name, CHECK_ORIGIN, "The origin record is valid and matches the file."),
            _check(table.asset_name, CHECK_ROWS, "Header, types, pandera rules, keys into other files."),
        ]
    for source in download_sources.DOWNLOADS:
        specs.append(
            dg.AssetSpec(
                source.asset_name,
                group_name=GROUP,
                description=f"{source.description}\n\nPin: `raw/{source.folder}/{source.stem}.meta.yml`.",
                code_version=version,
                kinds={"duckdb"},
            )
        )
        checks += [
            _check(source.asset_name, CHECK_PIN, "The pin is valid; a changed pin is met."),
            _check(source.asset_name, CHECK_AVAILABLE, "The pinned file was obtained.", False),
        ]
    for source_id in graph.long_sources:
        key = lineage.long_source_key(source_id)
        specs.append(
            dg.AssetSpec(
                key,
                group_name=GROUP,
                deps=graph.deps[key],
                description=f"Long-format indicator source `raw/indicators/{source_id}.meta.yml` "
                "and its data file, validated in DuckDB.",
                code_version=version,
                kinds={"duckdb"},
            )
        )
        checks += [
            _check(key, CHECK_ORIGIN, "Origin record valid; checksum matches the data file."),
            _check(key, CHECK_ROWS, "Columns, types, keys, declared indicators and countries."),
        ]
    specs.append(
        dg.AssetSpec(
            lineage.VALUES_ASSET,
            group_name=GROUP,
            deps=graph.deps[lineage.VALUES_ASSET],
            description="`raw.indicator_values`: every valid long-format source, with its "
            "source_id, file and line (empty when raw/indicators/ declares none).",
            code_version=version,
            kinds={"duckdb"},
        )
    )
    return specs, checks


def sources_asset(graph: lineage.Graph, version: str) -> dg.AssetsDefinition:
    specs, checks = _specs(graph, version)

    @dg.multi_asset(name="sources", specs=specs, check_specs=checks)
    def sources(context: dg.AssetExecutionContext, project: ProjectResource):
        """Read and check every source; load the ones that pass into the build's `raw` schema."""
        settings = project.settings()
        project.start_build(context.run_id)
        with project.connect(context.run_id) as con:
            yield from _inventory(con, settings.raw_dir)
            yield from _transcriptions(con, settings.raw_dir)
            yield from _downloads(con, project, settings)
            yield from _long_sources(context, con, settings.raw_dir, graph.long_sources)

    return sources


def _result(key: str, metadata: dict) -> dg.MaterializeResult:
    return dg.MaterializeResult(asset_key=key, metadata=metadata)


def _check_result(key, name, problems, severity=dg.AssetCheckSeverity.ERROR):
    return dg.AssetCheckResult(
        asset_key=key,
        check_name=name,
        passed=not problems,
        severity=severity,
        metadata=problems_metadata(problems),
    )


def _inventory(con, raw_dir):
    inventory = take_inventory(raw_dir)
    ensure_schema(con, "raw")
    run(con, "CREATE OR REPLACE TABLE raw.inventory (path VARCHAR PRIMARY KEY, sha256 VARCHAR)")
    if inventory.inputs:
        con.executemany("INSERT INTO raw.inventory VALUES (?, ?)", list(inventory.inputs.items()))
    yield _result(lineage.INVENTORY, {"dagster/row_count": dg.MetadataValue.int(len(inventory.inputs))})
    yield _check_result(lineage.INVENTORY, CHECK_DECLARED, inventory.problems)


def _transcriptions(con, raw_dir):
    results = transcriptions.read_transcriptions(con, raw_dir)
    transcriptions.load_transcriptions(con, results)
    descriptions = {}
    for result in results:
        key, spec = result.table.asset_name, result.table.spec
        row = provenance.source_file_row(
            key, f"raw.{spec.name}", TRANSCRIPTION, result.shown, result.sha256, result.record
        )
        provenance.record_source_files(con, key, [row])
        metadata = {"path": result.shown, "sha256": result.sha256}
        if result.ok:
            metadata |= relation_metadata(con, "raw", spec.name, spec, descriptions)
        yield _result(key, metadata)
        yield _check_result(key, CHECK_ORIGIN, result.origin_problems)
        yield _check_result(key, CHECK_ROWS, result.row_problems)


def _downloads(con, project: ProjectResource, settings):
    published = release.current_manifest(release.WarehouseLayout(settings.warehouse_dir))
    pins = published.get("downloads", {})
    for source in download_sources.DOWNLOADS:
        fetched = download_sources.fetch(
            con,
            source,
            settings.raw_dir,
            settings.cache_dir,
            project.download_timeout_seconds,
            (pins.get(source.source_id) or {}).get("sha256"),
            project.download_urls.get(source.source_id),
        )
        row = provenance.source_file_row(
            source.asset_name,
            f"raw.{source.tables[0].name}",
            DOWNLOAD,
            fetched.record.record.url if fetched.record.record else fetched.record.shown,
            fetched.record.record.sha256 if fetched.record.record else None,
            fetched.record,
            "loaded" if fetched.status == "available" else "unavailable",
            fetched.obtained_from,
            fetched.reason or None,
        )
        provenance.record_source_files(con, source.asset_name, [row])
        yield _result(
            source.asset_name,
            {
                "dagster/row_count": dg.MetadataValue.int(fetched.rows),
                "dagster/relation_identifier": qualified("raw", source.tables[0].name),
                "status": fetched.status,
                "reason": fetched.reason or "",
                "url": fetched.url,
            },
        )
        yield _check_result(source.asset_name, CHECK_PIN, fetched.refusals)
        unavailable = [] if fetched.status == "available" else [fetched.reason]
        yield dg.AssetCheckResult(
            asset_key=source.asset_name,
            check_name=CHECK_AVAILABLE,
            passed=not unavailable,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"messages": dg.MetadataValue.text(fetched.reason or "available")},
        )


def _long_sources(context, con, raw_dir, declared: list[str]):
    found = set(indicator_sources.source_ids(raw_dir))
    for extra in sorted(found - set(declared)):
        context.log.warning(
            f"raw/indicators/{extra}.meta.yml is new: reload the definitions to add it as an "
            "asset; it is not loaded in this refresh"
        )
    valid = []
    for source_id in declared:
        source = indicator_sources.read_source(con, raw_dir, source_id)
        key = lineage.long_source_key(source_id)
        row = provenance.source_file_row(
            key, source.table.replace('"', ""), LONG_SOURCE, source.shown_data or source.record.shown,
            source.sha256, source.record,
        )
        provenance.record_source_files(con, key, [row])
        metadata = {"file": source.shown_data}
        if source.ok:
            valid.append(source)
            metadata["dagster/row_count"] = dg.MetadataValue.int(
                run(con, f"SELECT count(*) FROM {source.table}")[0][0]  # noqa: S608
            )
        yield _result(key, metadata)
        yield _check_result(key, CHECK_ORIGIN, source.origin_problems)
        yield _check_result(key, CHECK_ROWS, source.row_problems)
    indicator_sources.publish_values(con, valid)
    (rows,) = run(con, f"SELECT count(*) FROM {indicator_sources.VALUES}")[0]  # noqa: S608
    yield _result(
        lineage.VALUES_ASSET,
        {
            "dagster/row_count": dg.MetadataValue.int(rows),
            "dagster/relation_identifier": indicator_sources.VALUES,
            "sources": ", ".join(s.source_id for s in valid) or "none",
        },
    )
