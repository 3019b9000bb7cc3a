"""Rows of `raw.source_files`: each source records the files it read (checksum, origin record,
status in this refresh); an export's provenance is the rows of the sources upstream of it.

Belongs here: writing and reading those rows. Stays out: which sources are upstream of what
(the asset graph decides, pipeline/lineage.py).
"""

from __future__ import annotations

import duckdb

from pipeline.schemas.provenance import SOURCE_FILES
from pipeline.schemas.spec import qualified
from pipeline.transforms.duck import ensure_schema, run
from pipeline.transforms.sources.origins import LoadedRecord

RELATION = qualified("raw", SOURCE_FILES.name)
PROVENANCE_KEYS = ("path", "sha256", "kind", "citation", "url", "license", "record_path", "status")


def source_file_row(
    asset_key: str,
    relation: str,
    kind: str,
    path: str,
    sha256: str | None,
    loaded: LoadedRecord,
    status: str = "loaded",
    obtained_from: str | None = "repository",
    reason: str | None = None,
) -> dict:
    record = loaded.record
    accessed = record.date_accessed if record else None

    def origin(name: str):
        return getattr(record, name) if record is not None else None

    return {
        "asset_key": asset_key,
        "relation": relation,
        "kind": kind,
        "path": path,
        "sha256": sha256 or None,
        "record_path": loaded.shown,
        "record_sha256": loaded.sha256,
        "title": origin("title") or "",
        "producer": origin("producer") or "",
        "citation": origin("citation") or "",
        "locator": origin("locator") or "",
        "url": origin("url"),
        "date_accessed": accessed.isoformat() if accessed else None,
        "license": origin("license") or "",
        "status": status,
        "obtained_from": obtained_from,
        "status_reason": reason,
    }


def record_source_files(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    """Replace the rows of these rows' assets in raw.source_files (other sources keep theirs),
    in one statement each: a sources step records all its files at once."""
    ensure_schema(con, "raw")
    run(con, SOURCE_FILES.create_table_sql(RELATION, if_not_exists=True))
    assets = sorted({row["asset_key"] for row in rows})
    run(con, f"DELETE FROM {RELATION} WHERE list_contains(?, asset_key)", [assets])  # noqa: S608
    if rows:
        names = SOURCE_FILES.column_names
        row_of = "(" + ", ".join("?" for _ in names) + ")"
        values = ", ".join(row_of for _ in rows)
        run(
            con,
            f"INSERT INTO {RELATION} ({SOURCE_FILES.select_list()}) VALUES {values}",  # noqa: S608
            [row[n] for row in rows for n in names],
        )


def source_files_of(con: duckdb.DuckDBPyConnection, asset_keys: list[str]) -> list[dict]:
    """The rows of these assets, in a stable order (what an export's provenance lists)."""
    columns = ", ".join(PROVENANCE_KEYS)
    rows = run(
        con,
        f"SELECT asset_key, {columns} FROM {RELATION} "  # noqa: S608
        "WHERE list_contains(?, asset_key) ORDER BY path",
        [sorted(asset_keys)],
    )
    return [dict(zip(("asset_key", *PROVENANCE_KEYS), row, strict=True)) for row in rows]
