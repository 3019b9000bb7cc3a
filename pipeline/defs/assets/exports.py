"""Exports: each mart written to `exports/<mart>.parquet` in the run's build, with its schema,
column descriptions and provenance in the file, and `exports/datapackage.json` describing them.
Provenance is every file and download upstream of the mart in the asset graph, at any depth,
with its checksum. A blocking check reads each file back and compares it with the mart.
"""

import dagster as dg

from pipeline import lineage
from pipeline.defs.metadata import spec_metadata
from pipeline.defs.resources import ProjectResource
from pipeline.transforms.datapackage import package_descriptor, resource_descriptor
from pipeline.transforms.export import (
    read_back_problems,
    remove_unlisted,
    write_export,
    write_json,
)
from pipeline.transforms.provenance import source_files_of

GROUP = "exports"
CHECK_READ_BACK = "parquet_matches_mart"
DATAPACKAGE = "datapackage.json"


def exports_asset(graph: lineage.Graph, version: str) -> dg.AssetsDefinition:
    marts = graph.marts

    @dg.multi_asset(
        name="exports",
        specs=[
            dg.AssetSpec(
                lineage.export_key(m.name),
                deps=graph.deps[lineage.export_key(m.name)],
                group_name=GROUP,
                description=f"`exports/{m.name}.parquet`: {m.relation} as Parquet.",
                metadata=spec_metadata(m.spec),
                kinds={"parquet"},
                code_version=version,
            )
            for m in marts
        ],
        check_specs=[
            dg.AssetCheckSpec(
                CHECK_READ_BACK,
                asset=lineage.export_key(m.name),
                blocking=True,
                description="The file reads back with the spec's schema and rows.",
            )
            for m in marts
        ],
    )
    def exports(context: dg.AssetExecutionContext, project: ProjectResource):
        build = project.build(context.run_id)
        written = {f"{m.name}.parquet" for m in marts} | {DATAPACKAGE}
        for name in remove_unlisted(build.exports_dir, written):
            context.log.info(f"exports/{name}: no mart writes it any more; not published again")
        resources = []
        with project.connect(context.run_id) as con:
            for mart in marts:
                sources = source_files_of(con, graph.sources_of(lineage.model_key(mart)))
                path = build.exports_dir / f"{mart.name}.parquet"
                rows = write_export(con, mart.quoted, mart.spec, path, {"sources": sources})
                problems = read_back_problems(path, mart.spec, rows)
                resources.append(resource_descriptor(mart.spec, sources))
                key = lineage.export_key(mart.name)
                yield dg.MaterializeResult(
                    asset_key=key,
                    metadata={
                        "dagster/row_count": dg.MetadataValue.int(rows),
                        "path": dg.MetadataValue.path(f"warehouse/exports/{mart.name}.parquet"),
                        "bytes": dg.MetadataValue.int(path.stat().st_size),
                        "sources": dg.MetadataValue.int(len(sources)),
                    },
                )
                yield dg.AssetCheckResult(
                    asset_key=key,
                    check_name=CHECK_READ_BACK,
                    passed=not problems,
                    metadata={"problems": dg.MetadataValue.text("\n".join(problems) or "none")},
                )
        write_json(build.exports_dir / DATAPACKAGE, package_descriptor(resources))

    return exports
