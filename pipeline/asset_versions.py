"""Each asset's code version: the code that builds it (found from the functions that do, by
pipeline/version.py following their imports), its own declaration, and the code versions of the
assets it reads. An asset's data is a function of the code of everything upstream of it, so its
version covers that code too, as a build recipe's hash covers its inputs' recipes: editing one
SQL file changes the version of that model and of everything downstream of it, and nothing else,
and the UI shows exactly those as stale.

What builds each asset, besides what it reads:

- a transcription: the reader and its checks, and its table's spec (the package that lists
  every table's spec, schemas/raw/, is hashed table by table, so editing one spec changes one
  version);
- a download: the download machinery, the parsers and the source's specs (shared by the
  downloads: they are one registry, pipeline/transforms/sources/download_sources.py);
- a long-format source and the gathered values: the long-source code;
- a model: its SQL, its spec file and its checks' SQL, and the model runner;
- an export: the Parquet writer, its read-back and the data package, and the mart's spec;
- the report: the report and its inputs, and its templates (not Python: declared); the release:
  publishing and the release guard.

Belongs here: which code builds which asset. Stays out: hashing (version.py), the graph
(lineage.py).
"""

from __future__ import annotations

from pathlib import Path

from pipeline import lineage, release
from pipeline.schemas import raw as raw_specs
from pipeline.schemas.raw import RAW_TABLES
from pipeline.settings import PACKAGE_DIR
from pipeline.transforms import report
from pipeline.transforms.models import changes, mart_checks
from pipeline.transforms.models import discover as models
from pipeline.transforms.models import run as model_run
from pipeline.transforms.publish import datapackage, export, release_state
from pipeline.transforms.report import load_inputs as report_inputs
from pipeline.transforms.sources import (
    download_sources,
    indicator_sources,
    inventory,
    provenance,
    transcriptions,
)
from pipeline.version import asset_version, code_of, digest, entry_module


def _stage_code(package_dir: Path) -> dict[str, list]:
    read: dict = {}  # each module read once for every stage

    def code(*functions, skip=()):
        return code_of([entry_module(f) for f in functions], skip, package_dir, read)

    return {
        "inventory": code(inventory.take_inventory),
        "transcription": code(
            transcriptions.read_transcriptions,
            provenance.record_source_files,
            skip=[raw_specs.__name__],
        ),
        "download": code(download_sources.fetch, provenance.record_source_files),
        "long_source": code(indicator_sources.read_source, provenance.record_source_files),
        "model": code(model_run.build),
        "computed": code(changes.release_changes),
        "export": code(export.write_export, datapackage.resource_descriptor),
        "report": code(report.build_report, report_inputs.load_report_inputs),
        "release": code(release.publish, release_state.release_guard),
    }


def asset_versions(graph: lineage.Graph, package_dir: Path = PACKAGE_DIR) -> dict[str, str]:
    """{asset key: code version} for every asset of the graph, from the code on disk now."""
    own = own_versions(graph, package_dir)
    versions: dict[str, str] = {}
    for key in graph.order:
        upstream = [f"{dep}={versions[dep]}" for dep in sorted(graph.deps[key])]
        versions[key] = digest([own[key], *upstream])
    return versions


def own_versions(graph: lineage.Graph, package_dir: Path = PACKAGE_DIR) -> dict[str, str]:
    """{asset key: digest of the code that builds it and its declaration}, upstream aside."""
    code = _stage_code(package_dir)
    versions = {lineage.INVENTORY: asset_version(code["inventory"])}
    for table in RAW_TABLES:
        versions[table.asset_name] = asset_version(code["transcription"], [repr(table)])
    for source in download_sources.DOWNLOADS:
        versions[source.asset_name] = asset_version(code["download"], [source.source_id])
    for source_id in graph.long_sources:
        versions[lineage.long_source_key(source_id)] = asset_version(code["long_source"])
    versions[lineage.VALUES_ASSET] = asset_version(code["long_source"], ["values"])
    for model in graph.models:
        key = models.model_key(model)
        if model.computed:
            versions[key] = asset_version(code["computed"], [repr(model.spec)])
            continue
        spec_file = model.path.with_suffix(".yml")
        declaration = [model.sql, spec_file.read_bytes() if spec_file.is_file() else b""]
        declaration += [check.sql for check in mart_checks.mart_checks(model.path)]
        versions[key] = asset_version(code["model"], declaration)
    for mart in graph.marts:
        versions[lineage.export_key(mart.name)] = asset_version(code["export"], [repr(mart.spec)])
    versions[lineage.REPORT] = asset_version(code["report"], report.template_sources())
    versions[lineage.PUBLISH] = asset_version(code["release"])
    return versions
