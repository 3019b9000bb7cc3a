"""What a release was built from and what it holds, as recorded in its manifest, and the same
summary for the raw folder as it is now: the sensor and `make run` compare the two to decide
whether a refresh would change anything.

Belongs here: computing those summaries and their differences. Stays out: publishing.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.release import ALL_ROWS, shrinking_sources
from pipeline.transforms.download_sources import DOWNLOADS
from pipeline.transforms.duck import run
from pipeline.transforms.inventory import take_inventory


def build_state(con: duckdb.DuckDBPyConnection, graph) -> dict:
    """From a finished build: its inputs, its downloads, and each mart's rows per source."""
    inputs = dict(run(con, "SELECT path, sha256 FROM raw.inventory ORDER BY path"))
    downloads = {}
    for source in DOWNLOADS:
        rows = run(
            con,
            "SELECT sha256, status, obtained_from FROM raw.source_files WHERE asset_key = ?",
            [source.asset_name],
        )
        if rows:
            sha256, status, obtained_from = rows[0]
            downloads[source.source_id] = {
                "sha256": sha256,
                "status": status,
                "obtained_from": obtained_from,
            }
    return {"inputs": inputs, "downloads": downloads, "row_counts": row_counts(con, graph.marts)}


def row_counts(con: duckdb.DuckDBPyConnection, marts) -> dict[str, dict[str, int]]:
    counts = {}
    for mart in marts:
        if "source_id" in mart.spec.column_names:
            rows = run(
                con,
                f"SELECT coalesce(source_id, '(none)'), count(*) FROM {mart.quoted} "  # noqa: S608
                f"GROUP BY 1 ORDER BY 1",
            )
        else:
            rows = [(ALL_ROWS, run(con, f"SELECT count(*) FROM {mart.quoted}")[0][0])]  # noqa: S608
        counts[mart.name] = {source: int(n) for source, n in rows}
    return counts


def changes_since(manifest: dict, raw_dir: Path, code_version: str) -> list[str]:
    """Why a refresh is needed now, in words (empty: nothing changed since the release)."""
    if not manifest:
        return ["no release has been published yet"]
    reasons = []
    current = take_inventory(raw_dir).inputs
    published = manifest.get("inputs", {})
    for path in sorted(current.keys() | published.keys()):
        if current.get(path) != published.get(path):
            what = (
                "added"
                if path not in published
                else "removed"
                if path not in current
                else "changed"
            )
            reasons.append(f"{path} {what}")
    if manifest.get("code_version") != code_version:
        reasons.append(f"the code changed ({manifest.get('code_version')} -> {code_version})")
    for source_id, download in sorted(manifest.get("downloads", {}).items()):
        if download.get("status") != "loaded":
            reasons.append(f"{source_id} was unavailable in the current release (try again)")
    return reasons


def release_guard(
    con: duckdb.DuckDBPyConnection, marts, previous_manifest: dict, allowed: set[str]
) -> tuple[list[str], list[str]]:
    """(blocked, accepted): each source whose rows vanish or shrink past the threshold against
    the current release, split by whether the user accepted it."""
    before, now = previous_manifest.get("row_counts", {}), row_counts(con, marts)
    every = shrinking_sources(before, now, set())
    blocked = shrinking_sources(before, now, allowed)
    return blocked, [s for s in every if s not in blocked]
