"""What a release holds, as recorded in its manifest: each mart's rows per source and the state
of each download; and the release guard, which compares the rows of a build with the current
release's before it is published.

Belongs here: computing those records and the guard. Stays out: publishing (pipeline/release.py).
"""

from __future__ import annotations

import difflib

import duckdb

from pipeline.transforms.duck import run
from pipeline.transforms.sources.download_sources import DOWNLOADS

# The release guard: a source whose rows in a mart shrink by more than this share, or vanish,
# blocks the publish unless the user accepts it (`refresh --allow-shrink SOURCE`). A tenth is
# far above any correction of a transcription and far below losing a source's rows.
ALL_ROWS = "(all)"  # the row count of a mart without a source_id column
SHRINK_THRESHOLD = 0.10
# The --allow-shrink form that accepts, at once, every source removed: whose rows are gone from
# every mart (its files were taken out of raw/). A source that shrank, or kept rows in some mart
# (a failed download keeps its rows in marts.coverage), must still be named.
REMOVED_SOURCES = "removed-sources"
SHOWN_SOURCES = 20  # source ids listed in a line about an unknown id; the rest are counted


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


def row_counts(
    con: duckdb.DuckDBPyConnection, marts, known: dict | None = None
) -> dict[str, dict[str, int]]:
    """Rows per mart and source; `known`: {mart: {source_id: rows}} counted already (the parts
    a build reuses from the published release, pipeline/reuse.py), not counted again."""
    counts = {}
    for mart in marts:
        given = (known or {}).get(mart.name, {})
        if "source_id" in mart.spec.column_names:
            rows = run(
                con,
                f"SELECT coalesce(source_id, '(none)'), count(*) FROM {mart.quoted} "  # noqa: S608
                "WHERE NOT list_contains(?, coalesce(source_id, '(none)')) GROUP BY 1 ORDER BY 1",
                [sorted(given)],
            )
        else:
            rows = [(ALL_ROWS, run(con, f"SELECT count(*) FROM {mart.quoted}")[0][0])]  # noqa: S608
        counts[mart.name] = dict(sorted({**given, **{s: int(n) for s, n in rows}}.items()))
    return counts


def release_guard(
    con: duckdb.DuckDBPyConnection,
    marts,
    previous_manifest: dict,
    allowed: set[str],
    known: dict | None = None,
) -> tuple[list[str], list[str], dict[str, dict[str, int]]]:
    """(blocked, accepted, row counts): each source whose rows vanish or shrink past the
    threshold against the current release, split by whether the user accepted it, and the rows
    per mart and source it compared (row_counts), which the new release's manifest records. An
    accepted id that names no source of the current release blocks the publish too (one line,
    listing what shrinks)."""
    now = row_counts(con, marts, known)
    return *guard(previous_manifest.get("row_counts", {}), now, allowed), now


def guard(before: dict, now: dict, allowed: set[str]) -> tuple[list[str], list[str]]:
    """The release guard on row counts per mart and source: (blocked, accepted)."""
    every = shrinking_sources(before, now, set())
    unknown = unknown_ids(sorted(allowed), before)
    if unknown:
        shrinking = sorted({source for _, source, _, _ in _shrinks(before, now)})
        return [unknown_line(unknown, shrinking, "the sources that shrink in this refresh")], []
    if REMOVED_SOURCES in allowed:
        allowed = set(allowed) | removed_sources(before, now)
    blocked = shrinking_sources(before, now, allowed)
    return blocked, [s for s in every if s not in blocked]


def allowed_ids(values) -> list[str]:
    """--allow-shrink's values (the flag repeated, each value one id or several separated by
    commas) as ids, each once, in the order given."""
    ids = (part.strip() for value in values for part in value.split(","))
    return list(dict.fromkeys(i for i in ids if i))


def unknown_ids(ids, before: dict[str, dict[str, int]]) -> list[str]:
    """The ids that name no source of the release `before` counts (a source_id, or
    mart.source_id) and are not REMOVED_SOURCES: they could never accept anything."""
    known = {REMOVED_SOURCES}
    for mart, counts in before.items():
        known |= set(counts) | {f"{mart}.{source}" for source in counts}
    return [i for i in ids if i not in known]


def unknown_in_release(ids, before: dict[str, dict[str, int]]) -> str | None:
    """One line naming the ids that name no source of the release `before` counts (listing
    its sources), or None when every id is known."""
    unknown = unknown_ids(ids, before)
    if not unknown:
        return None
    if not before:
        return f"--allow-shrink: {_named(unknown, [])}: there is no published release to shrink"
    return unknown_line(unknown, release_sources(before), "the current release's sources")


def release_sources(before: dict[str, dict[str, int]]) -> list[str]:
    """The source ids that have rows in the release `before` counts."""
    sources = {s for counts in before.values() for s, n in counts.items() if n}
    return sorted(sources - {ALL_ROWS, "(none)"})


def unknown_line(unknown: list[str], sources: list[str], what: str) -> str:
    """One line: the unknown ids (with the source each most likely meant), and the ids that
    would be valid (`what` says which)."""
    listed = ", ".join(sources[:SHOWN_SOURCES]) or "none"
    if len(sources) > SHOWN_SOURCES:
        listed += f" and {len(sources) - SHOWN_SOURCES} more"
    return (
        f"--allow-shrink: {_named(unknown, sources)}; {what}: {listed} (or mart.source_id, or "
        f"{REMOVED_SOURCES} for every source whose rows are gone from every mart)"
    )


def _named(unknown: list[str], sources: list[str]) -> str:
    names = []
    for name in unknown:
        close = difflib.get_close_matches(name.rsplit(".", 1)[-1], sources, n=1)
        names.append(f"'{name}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    return f"unknown source{'s' if len(unknown) > 1 else ''} {', '.join(names)}"


def removed_sources(
    before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]
) -> set[str]:
    """The sources with rows in the current release and none in any mart of the build."""
    remaining = {s for counts in after.values() for s, n in counts.items() if n}
    return set(release_sources(before)) - remaining


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
    for mart, source, old, new in _shrinks(before, after, threshold):
        if not {source, f"{mart}.{source}"} & allowed:
            change = "disappeared" if new == 0 else f"shrank by {(old - new) / old:.0%}"
            found.append(
                f"marts.{mart}: rows of source '{source}' {change} ({old:,} in the current "
                f"release, {new:,} now)"
            )
    return found


def _shrinks(before, after, threshold: float = SHRINK_THRESHOLD):
    """(mart, source, rows before, rows now) of every source past the threshold."""
    for mart, old_counts in sorted(before.items()):
        counts, new_counts = _comparable(old_counts, after.get(mart, {}))
        for source, old in sorted(counts.items()):
            new = new_counts.get(source, 0)
            if old and (old - new) / old > threshold:
                yield mart, source, old, new


def _comparable(before: dict[str, int], after: dict[str, int]) -> tuple[dict, dict]:
    """Counts per source, or, when the mart gained or lost its source_id column between the
    two releases (one side counted as '(all)'), one total per side."""
    if (ALL_ROWS in before) == (ALL_ROWS in after) or not after:
        return before, after
    return {ALL_ROWS: sum(before.values())}, {ALL_ROWS: sum(after.values())}
