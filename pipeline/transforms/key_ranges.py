"""A relation cut into ranges of its primary key, in key order, each holding a bounded number of
rows: the way every step that must see a whole mart (its export in key order, the comparison
with the previous release) stays within DuckDB's memory limit whatever the shape of the data.
A sort or a join over one range needs memory for that range only, never for the whole mart.

The ranges partition every possible key, not only the keys the relation holds: the first range
has no lower bound, the last no upper bound, and NULLs of a key column come after its values (as
DuckDB's ORDER BY puts them). So the same predicates cut another relation with the same key
(the previous release's export) without losing a row. A range is made of consecutive values of
the key's first column; one value holding more rows than the bound is cut again by the next
column, and so on. Counting needs one grouping per level, over one column.

Belongs here: computing the ranges. Stays out: what is done with each (publish/export.py,
models/changes.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.schemas.rules import sql_literal
from pipeline.schemas.spec import quote_ident

# Rows per range of a join or a grouping over a whole mart (the key columns and a hash of the
# others: about 100 bytes a row, so a range of a side stays near 200 MB).
RANGE_ROWS = 2_000_000


@dataclass(frozen=True)
class KeyRange:
    where: str  # a SQL condition on the key columns
    rows: int  # rows of the relation in the range when counted
    single: bool = False  # one value of the key's columns, not cut further (a large source)


def key_ranges(
    con, relation: str, key, max_rows: int, depth: int | None = None, cover_all: bool = True
) -> list[KeyRange]:
    """Conditions that together hold every key of `relation` exactly once, in key order, each
    holding at most `max_rows` of its rows, unless one value of the key's first `depth` columns
    (default: all) holds more. With `cover_all`, also the empty ranges between and around them,
    so that the conditions hold every possible key (another relation's too)."""
    columns = [quote_ident(k) for k in key][: depth or len(key)]
    return _split(con, relation, columns, [], max_rows, cover_all)


def _split(con, relation, columns, fixed, max_rows, cover_all) -> list[KeyRange]:
    """The ranges of the values of `columns[0]` among the rows where `fixed` holds."""
    column = columns[0]
    where = " AND ".join(fixed) or "TRUE"
    counts = con.execute(
        f"SELECT {column}, count(*) FROM {relation} WHERE {where} "  # noqa: S608
        "GROUP BY 1 ORDER BY 1 NULLS LAST"
    ).fetchall()
    nulls = sum(n for value, n in counts if value is None)
    # Segments in value order: a pack of consecutive values [first value, rows], or a large
    # value on its own (value, rows); packs (maybe empty) between and around the large ones.
    segments: list = []
    for value, rows in counts:
        if value is None:
            continue
        if rows > max_rows:
            segments.append((value, rows))
        elif segments and isinstance(segments[-1], list) and segments[-1][1] + rows <= max_rows:
            segments[-1][1] += rows
        else:
            segments.append([value, rows])
    if cover_all:
        segments = _with_gaps(segments)
    ranges = []
    for n, segment in enumerate(segments):
        if isinstance(segment, tuple):
            equal = [*fixed, f"{column} = {sql_literal(segment[0])}"]
            if len(columns) > 1:
                ranges += _split(con, relation, columns[1:], equal, max_rows, cover_all)
            else:
                ranges.append(KeyRange(" AND ".join(equal), segment[1], True))
            continue
        bounds = _bounds(column, segments, n)
        ranges.append(KeyRange(" AND ".join([*fixed, *bounds]), segment[1]))
    if nulls or cover_all:
        ranges.append(KeyRange(" AND ".join([*fixed, f"{column} IS NULL"]), nulls))
    return ranges


def _with_gaps(segments: list) -> list:
    """An empty pack before, between and after large values where no pack is."""
    out: list = []
    for segment in [*segments, None]:
        if (segment is None or isinstance(segment, tuple)) and (
            not out or isinstance(out[-1], tuple)
        ):
            out.append([None, 0])
        if segment is not None:
            out.append(segment)
    return out


def _bounds(column: str, segments: list, n: int) -> list[str]:
    """The bounds of the pack `segments[n]`: from its first value, or just above the large
    value before it; to just below the next segment's first value; open at either end."""
    bounds = []
    if n > 0:
        before = segments[n - 1]
        if isinstance(before, tuple):
            bounds.append(f"{column} > {sql_literal(before[0])}")
        else:
            bounds.append(f"{column} >= {sql_literal(segments[n][0])}")
    if n + 1 < len(segments):
        bounds.append(f"{column} < {sql_literal(segments[n + 1][0])}")
    return bounds or [f"{column} IS NOT NULL"]
