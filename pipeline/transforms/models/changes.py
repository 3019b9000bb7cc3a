"""What changed since the last release: each mart compared with the published one by primary
key, as rows added, removed and changed, into `marts.release_changes`. The report shows it as
"Changes since <previous release>"; the first release says it is the first. The previous state
is read from the release's Parquet exports (immutable, and never locked by a reader, unlike its
DuckDB file). A mart of millions of rows is compared range by range of its key
(transforms/key_ranges.py): each join holds one range of each side, never the whole mart.

Belongs here: the comparison and its table. Stays out: publishing (pipeline/release.py).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipeline.schemas import rules as r
from pipeline.schemas.rules import sql_literal
from pipeline.schemas.spec import INT, STRING, Field, TableSpec, quote_ident
from pipeline.transforms.duck import load_frame, order_free
from pipeline.transforms.key_ranges import RANGE_ROWS, key_ranges

FIRST_RELEASE = "(first release)"

RELEASE_CHANGES = TableSpec(
    name="release_changes",
    description="What this release changed against the previous one, per mart: rows added, "
    "removed and changed (same primary key, another value), compared by primary key.",
    fields=(
        Field("mart", STRING, "The mart compared (marts.<mart>)."),
        Field("previous_release", STRING, "The release compared with; '(first release)' if none."),
        Field("rows_before", INT, "Rows in the previous release.", rules=(r.at_least(0),)),
        Field("rows_now", INT, "Rows in this release.", rules=(r.at_least(0),)),
        Field("rows_added", INT, "Keys new in this release.", rules=(r.at_least(0),)),
        Field("rows_removed", INT, "Keys no longer present.", rules=(r.at_least(0),)),
        Field(
            "rows_changed", INT, "Keys present in both with another value.", rules=(r.at_least(0),)
        ),
        Field("note", STRING, "What the comparison could not do, if anything.", True),
    ),
    primary_key=("mart",),
)


def release_changes(
    con: duckdb.DuckDBPyConnection, marts, previous: Path | None, previous_id, known=None
):
    """Compare every mart with the previous release's export and load `marts.release_changes`
    (`previous`: that release's folder, None before the first release). `known`: {mart:
    {source_id: rows}} of rows the build reuses from that release (pipeline/reuse.py): the same
    on both sides, they are counted, not compared."""
    import pandas as pd

    with order_free(con):  # counts only
        rows = [
            _compare(con, mart, previous, previous_id, (known or {}).get(mart.name, {}))
            for mart in marts
        ]
    frame = pd.DataFrame(rows, columns=RELEASE_CHANGES.column_names)
    load_frame(con, "marts", RELEASE_CHANGES, frame)


def _count(con, relation: str) -> int:
    return con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]  # noqa: S608


def previous_export(previous: Path, name: str) -> str | None:
    """A mart's rows in a release's exports, as a DuckDB relation: one file, or a folder of one
    file per source (marts.indicators); None when the release has neither."""
    folder, file = previous / "exports" / name, previous / "exports" / f"{name}.parquet"
    if folder.is_dir() and any(folder.glob("*.parquet")):
        return f"read_parquet({sql_literal(str(folder / '*.parquet'))})"
    return f"read_parquet({sql_literal(str(file))})" if file.is_file() else None


def _compare(con, mart, previous: Path | None, previous_id, known=None) -> dict:
    known = known or {}  # {source_id: rows} reused from the previous release, not compared
    listed = ", ".join(sql_literal(s) for s in sorted(known))
    where = f" WHERE source_id NOT IN ({listed})" if known else ""
    current = f"(SELECT * FROM {mart.quoted}{where})"  # noqa: S608
    now = _count(con, current) + sum(known.values())
    row = dict(
        mart=mart.name,
        previous_release=previous_id or FIRST_RELEASE,
        rows_before=0,
        rows_now=now,
        rows_added=now,
        rows_removed=0,
        rows_changed=0,
        note=None,
    )
    if previous is None:
        return row
    export = previous_export(previous, mart.name)
    if export is None:
        return row | {"note": "the mart is new in this release"}
    old = f"(SELECT * FROM {export}{where})"  # noqa: S608
    columns = _shared_columns(con, mart, old)
    keys = ", ".join(quote_ident(k) for k in mart.spec.primary_key)
    values = ", ".join(quote_ident(c) for c in columns)
    ranges = ["TRUE"]
    if now > RANGE_ROWS:
        ranges = [r.where for r in key_ranges(con, current, mart.spec.primary_key, RANGE_ROWS)]
    join = " AND ".join(
        f"a.{quote_ident(k)} IS NOT DISTINCT FROM b.{quote_ident(k)}" for k in mart.spec.primary_key
    )
    added = removed = changed = 0
    for in_range in ranges:
        a = f"SELECT {keys}, hash({values}) AS h FROM {current} WHERE {in_range}"  # noqa: S608
        b = f"SELECT {keys}, hash({values}) AS h FROM {old} WHERE {in_range}"  # noqa: S608
        counts = con.execute(
            "SELECT count(*) FILTER (b.h IS NULL), count(*) FILTER (a.h IS NULL), "  # noqa: S608
            "count(*) FILTER (a.h IS NOT NULL AND b.h IS NOT NULL AND a.h <> b.h) "
            f"FROM ({a}) AS a FULL OUTER JOIN ({b}) AS b ON {join}"
        ).fetchall()[0]
        added, removed, changed = added + counts[0], removed + counts[1], changed + counts[2]
    note = None
    if len(columns) != len(mart.spec.column_names):
        note = "compared on the columns both releases have (the mart's columns changed)"
    return row | dict(
        rows_before=_count(con, old) + sum(known.values()),
        rows_added=added,
        rows_removed=removed,
        rows_changed=changed,
        note=note,
    )


def _shared_columns(con, mart, old: str) -> list[str]:
    names = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {old}").fetchall()}  # noqa: S608
    return [c for c in mart.spec.column_names if c in names]
