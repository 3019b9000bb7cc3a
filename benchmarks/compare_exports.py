"""Whether the pipeline's export holds a benchmark source's rows exactly as the same-output
script (benchmarks/reference.py) wrote them: the same columns and types, the same rows in the
same order, both zstd-compressed. Run as its own process by the bench:

    python -m benchmarks.compare_exports PIPELINE_EXPORT REFERENCE_EXPORT SOURCE_ID[,...]

Belongs here: that comparison. Stays out: writing the exports (the pipeline, reference.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from pipeline.schemas.rules import sql_literal


def files_of(export: Path) -> list[Path]:
    """The files of an export: one file, or a pattern (`exports/indicators/*.parquet`, the
    pipeline's file per source)."""
    return sorted(export.parent.glob(export.name)) if "*" in export.name else [export]


def compare(pipeline_export: Path, reference_export: Path, source_ids: list[str]) -> dict:
    """The source's rows of the pipeline's export and the reference's export: the same columns
    and types, the same rows in the same order, both zstd-compressed. Each row is hashed with
    its position (the files in name order, then the row's place in its file), and the two
    sides' counts and sums of those hashes are compared: one streaming scan a side, no join, so
    25M rows take seconds and bounded memory."""
    pipeline_files = [f for f in files_of(pipeline_export) if f.stem in source_ids]
    reference_files = files_of(reference_export)
    with duckdb.connect() as con:
        con.execute("SET enable_progress_bar = false")
        described = [_described(con, files) for files in (pipeline_files, reference_files)]
        names = [row[0] for row in described[1]]
        digests = [_digest(con, files, names) for files in (pipeline_files, reference_files)]
        foreign = con.execute(
            f"SELECT count(*) FROM {_scan(pipeline_files)} "  # noqa: S608
            "WHERE source_id NOT IN (SELECT unnest(?))",
            [source_ids],
        ).fetchone()[0]
    codecs = set()
    for path in (*pipeline_files, *reference_files):
        meta = pq.ParquetFile(path).metadata
        for g in range(meta.num_row_groups):
            codecs |= {meta.row_group(g).column(c).compression for c in range(meta.num_columns)}
    rows = digests[1][0]
    equal = (
        described[0] == described[1]
        and digests[0] == digests[1]
        and foreign == 0
        and rows > 0
        and codecs == {"ZSTD"}
    )
    return {
        "equal": equal,
        "rows": rows,
        "pipeline_rows": digests[0][0],
        "rows_of_other_sources": foreign,
        "codecs": sorted(codecs),
    }


def _scan(files: list[Path]) -> str:
    listed = ", ".join(sql_literal(str(f)) for f in files)
    return f"read_parquet([{listed}], filename = true, file_row_number = true)"


def _described(con: duckdb.DuckDBPyConnection, files: list[Path]) -> list[tuple]:
    listed = ", ".join(sql_literal(str(f)) for f in files)
    return con.execute(f"DESCRIBE SELECT * FROM read_parquet([{listed}])").fetchall()  # noqa: S608


def _digest(con: duckdb.DuckDBPyConnection, files: list[Path], names: list[str]) -> tuple:
    """(rows, sum of hash(position, row)) over the files in order."""
    offsets, start = [], 0
    for path in files:
        offsets.append((str(path), start))
        start += pq.ParquetFile(path).metadata.num_rows
    con.execute("CREATE OR REPLACE TEMP TABLE offsets (filename VARCHAR, start BIGINT)")
    con.executemany("INSERT INTO offsets VALUES (?, ?)", offsets)
    columns = ", ".join(f's."{n}"' for n in names)
    return con.execute(
        "SELECT count(*), sum(hash(o.start + s.file_row_number, "  # noqa: S608
        f"{columns})::HUGEINT) FROM {_scan(files)} s JOIN offsets o USING (filename)"
    ).fetchone()


def main(argv: list[str]) -> None:
    if len(argv) != 3:
        raise SystemExit(__doc__)
    pipeline_export, reference_export, source_ids = argv
    result = compare(Path(pipeline_export), Path(reference_export), source_ids.split(","))
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
