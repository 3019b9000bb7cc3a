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
from pipeline.defs.metadata import known_descriptions, spec_metadata
from pipeline.defs.resources import ProjectResource
from pipeline.defs.results import outcome_events
from pipeline.schemas.raw import RAW_TABLES
from pipeline.transforms import download_sources
from pipeline.transforms.sources import (
    CHECK_AVAILABLE,
    CHECK_DECLARED,
    CHECK_ORIGIN,
    CHECK_PIN,
    CHECK_ROWS,
    DownloadOptions,
    read_sources,
)

GROUP = "raw"


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
            _check(
                table.asset_name, CHECK_ORIGIN, "The origin record is valid and matches the file."
            ),
            _check(
                table.asset_name, CHECK_ROWS, "Header, types, pandera rules, keys into other files."
            ),
        ]
    for source in download_sources.DOWNLOADS:
        specs.append(
            dg.AssetSpec(
                source.asset_name,
                group_name=GROUP,
                description=f"{source.description}\n\nPin: "
                f"`raw/{source.folder}/{source.stem}.meta.yml`.",
                code_version=version,
                kinds={"duckdb"},
            )
        )
        checks += [
            _check(source.asset_name, CHECK_PIN, "The pin is valid; a changed pin is met."),
            _check(source.asset_name, CHECK_ROWS, "The file's rows follow the source's spec."),
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
    table_specs = {f"raw.{t.name}": t.spec for t in RAW_TABLES}
    descriptions = known_descriptions(table_specs.values())

    @dg.multi_asset(name="sources", specs=specs, check_specs=checks)
    def sources(context: dg.AssetExecutionContext, project: ProjectResource):
        """Read and check every source; load the ones that pass into the build's `raw` schema."""
        settings = project.settings()
        manifest = release.current_manifest(release.WarehouseLayout(settings.warehouse_dir))
        options = DownloadOptions(
            project.download_timeout_seconds,
            dict(project.download_urls),
            {k: v.get("sha256") for k, v in manifest.get("downloads", {}).items()},
        )
        project.start_build(context.run_id)
        with project.connect(context.run_id) as con:
            outcomes = read_sources(con, settings, graph.long_sources, options, context.log.warning)
            for outcome in outcomes:
                yield from outcome_events(con, outcome, table_specs, descriptions)

    return sources
