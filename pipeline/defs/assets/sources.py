"""The source assets and their checks, as the UI shows them:

- `raw_inventory`: every file under raw/ is declared (by a spec or an origin record);
- one asset per transcription (raw/paper/, raw/reference/): its origin record, its rows;
- one asset per pinned download (WJP, V-Dem): its pin (valid, and met when it changed), its
  rows, and a warning when the file could not be had this refresh;
- one asset per long-format source (raw/indicators/): its origin record, its rows;
- `raw_indicators__values`: the valid long-format sources gathered for marts.indicators.

Belongs here: their specs. Stays out: reading them (pipeline/transforms/sources/read_all.py).
"""

from pathlib import Path

import dagster as dg

from pipeline import lineage
from pipeline.defs.metadata import code_references, spec_metadata
from pipeline.schemas.raw import RAW_TABLES
from pipeline.transforms.sources import download_sources
from pipeline.transforms.sources.read_all import (
    CHECK_AVAILABLE,
    CHECK_CACHE,
    CHECK_DECLARED,
    CHECK_ORIGIN,
    CHECK_PIN,
    CHECK_ROWS,
)


def _check(key: str, name: str, description: str, blocking: bool = True) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(name, asset=key, blocking=blocking, description=description)


def source_specs(graph: lineage.Graph, raw: Path) -> tuple[list, list]:
    """(asset specs, check specs) of the sources; file paths are those under `raw`."""
    specs = [
        dg.AssetSpec(
            lineage.INVENTORY,
            description=f"Every file under `{raw}` with its checksum: what a refresh read.",
            kinds={"duckdb"},
        )
    ]
    checks = [_check(lineage.INVENTORY, CHECK_DECLARED, "No file under raw/ is undeclared.")]
    for table in RAW_TABLES:
        path = raw / table.relative_path
        specs.append(
            dg.AssetSpec(
                table.asset_name,
                description=f"{table.spec.description}\n\nFile: `{path}` (origin record beside "
                "it).",
                metadata={
                    **spec_metadata(table.spec),
                    "path": dg.MetadataValue.path(str(path)),
                    **code_references(path, path.with_name(f"{path.stem}.meta.yml")),
                },
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
        record = source.record_path(raw)
        specs.append(
            dg.AssetSpec(
                source.asset_name,
                description=f"{source.description}\n\nPin: `{record}`.",
                metadata={
                    **spec_metadata(source.tables[0]),
                    "pin": dg.MetadataValue.path(str(record)),
                    **code_references(record),
                },
                kinds={"duckdb", source.suffix.lstrip(".")},
            )
        )
        checks += [
            _check(source.asset_name, CHECK_PIN, "The pin is valid; a changed pin is met."),
            _check(source.asset_name, CHECK_ROWS, "The file's rows follow the source's spec."),
            _check(source.asset_name, CHECK_AVAILABLE, "The pinned file was obtained.", False),
            _check(
                source.asset_name,
                CHECK_CACHE,
                "The cached download's parsed tables matched their checksums (a copy that did "
                "not was parsed again from the verified file).",
                False,
            ),
        ]
    for source_id in graph.long_sources:
        key = lineage.long_source_key(source_id)
        record = raw / "indicators" / f"{source_id}.meta.yml"
        specs.append(
            dg.AssetSpec(
                key,
                deps=graph.deps[key],
                description=f"Long-format indicator source `{record}` and its data file, "
                "validated in DuckDB.",
                metadata=code_references(record),
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
            deps=graph.deps[lineage.VALUES_ASSET],
            description="`raw.indicator_values`: every valid long-format source, with its "
            "source_id, file and line (empty when raw/indicators/ declares none).",
            kinds={"duckdb"},
        )
    )
    return specs, checks
