"""What a release holds, as recorded in its manifest: each mart's rows per source and the state
of each download; and the release guard, which compares the rows of a build with the current
release's before it is published.

Belongs here: computing those records and the guard. Stays out: publishing (pipeline/release.py).
"""

from __future__ import annotations

import duckdb

from pipeline.transforms.download_sources import DOWNLOADS
from pipeline.transforms.duck import run

# The release guard: a source whose rows in a mart shrink by more than this share, or vanish,
# blocks the publish unless the user accepts it (`refresh --allow-shrink SOURCE`). A tenth is
# far above any correction of a transcription and far below losing a source's rows.
ALL_ROWS = "(all)"  # the row count of a mart without a source_id column
SHRINK_THRESHOLD = 0.10


def download_states(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Each download's checksum, whether it was loaded, and where it came from."""
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
    return downloads


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


def release_guard(
    con: duckdb.DuckDBPyConnection, marts, previous_manifest: dict, allowed: set[str]
) -> tuple[list[str], list[str]]:
    """(blocked, accepted): each source whose rows vanish or shrink past the threshold against
    the current release, split by whether the user accepted it."""
    before, now = previous_manifest.get("row_counts", {}), row_counts(con, marts)
    every = shrinking_sources(before, now, set())
    blocked = shrinking_sources(before, now, allowed)
    return blocked, [s for s in every if s not in blocked]


def shrinking_sources(
    before: dict[str, dict[str, int]],
    after: dict[str, dict[str, int]],
    allowed: set[str],
    threshold: float = SHRINK_THRESHOLD,
) -> list[str]:
    """The release guard: every (mart, source) whose rows vanish or shrink by more than
    `threshold` against the current release, unless the user accepted it (`allowed` holds
    source ids or mart.source pairs). Each as a sentence naming the counts."""
    found = []
    for mart, old_counts in sorted(before.items()):
        counts, new_counts = _comparable(old_counts, after.get(mart, {}))
        for source, old in sorted(counts.items()):
            new = new_counts.get(source, 0)
            if old and (old - new) / old > threshold and not {source, f"{mart}.{source}"} & allowed:
                change = "disappeared" if new == 0 else f"shrank by {(old - new) / old:.0%}"
                found.append(
                    f"marts.{mart}: rows of source '{source}' {change} ({old:,} in the current "
                    f"release, {new:,} now)"
                )
    return found


def _comparable(before: dict[str, int], after: dict[str, int]) -> tuple[dict, dict]:
    """Counts per source, or, when the mart gained or lost its source_id column between the
    two releases (one side counted as '(all)'), one total per side."""
    if (ALL_ROWS in before) == (ALL_ROWS in after) or not after:
        return before, after
    return {ALL_ROWS: sum(before.values())}, {ALL_ROWS: sum(after.values())}
