"""The transcribed files (raw/paper/, raw/reference/): read each with the one reader into DuckDB,
validate it there with its pandera schema (transforms/validation.py), check the links between
files there, and load the files that pass into the build's `raw` schema.

Belongs here: that sequence, as a function of (connection, raw folder) a unit test can call.
Stays out: Dagster (defs/assets/sources.py), the rules (schemas/).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.schemas.dated import bound_by_access
from pipeline.schemas.origin import TRANSCRIPTION
from pipeline.schemas.raw import RAW_TABLES
from pipeline.schemas.raw.table import RawTable
from pipeline.schemas.spec import qualified
from pipeline.transforms import files
from pipeline.transforms.duck import create_typed_table, ensure_schema, run
from pipeline.transforms.problems import Problem
from pipeline.transforms.sources.origins import (
    LoadedRecord,
    check_against_data,
    load_record,
    record_path,
)
from pipeline.transforms.sources.raw_relations import relation_problems
from pipeline.transforms.sources.reader import read_table
from pipeline.transforms.validation import REQUIRED, validate_relation

INCOMING = "incoming"  # schema of files read but not yet validated


@dataclass
class Transcription:
    """One transcribed file after reading: its record, checksum, the typed table its rows were
    read into (None if the file could not be read) and problems (origin problems concern the
    record; row problems the file's content)."""

    table: RawTable
    path: Path
    shown: str
    record: LoadedRecord
    sha256: str = ""
    relation: str | None = None
    rows: int = 0
    origin_problems: list[Problem] = field(default_factory=list)
    row_problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.origin_problems and not self.row_problems

    @property
    def incoming(self) -> str:
        return qualified(INCOMING, self.table.name)


def read_transcriptions(
    con: duckdb.DuckDBPyConnection, raw_dir: Path, tables=RAW_TABLES
) -> list[Transcription]:
    """Read and check every transcribed file into `incoming.<table>`. Never raises on bad data."""
    ensure_schema(con, INCOMING)
    results = [_read_one(con, raw_dir, table) for table in tables]
    found = relation_problems(con, {t.table.name: t.relation for t in results if t.relation})
    for result in results:
        result.row_problems += found.get(result.table.name, [])
    return results


def _read_one(con, raw_dir: Path, table: RawTable) -> Transcription:
    path = raw_dir / table.relative_path
    record = load_record(record_path(path), raw_dir, TRANSCRIPTION)
    result = Transcription(table, path, files.shown(path, raw_dir), record)
    result.origin_problems += record.problems
    read = read_table(
        con, path, raw_dir, table.spec, result.incoming, max_bytes=files.MAX_TRANSCRIPTION_BYTES
    )
    result.sha256 = read.sha256
    result.row_problems += read.problems
    result.origin_problems += check_against_data(record, read.sha256)
    if read.relation is None:
        return result
    mistyped = {(p.line, p.column) for p in read.problems}
    accessed = record.record.date_accessed if record.record else None
    spec = bound_by_access(table.spec, accessed)  # no date after the source was accessed
    result.row_problems += [
        p
        for p in validate_relation(con, spec, read.relation, result.shown, line="line")
        if not (p.rule == REQUIRED and (p.line, p.column) in mistyped)
    ]  # a cell of the wrong type is reported once, as such
    result.relation, result.rows = read.relation, read.rows
    return result


def load_transcriptions(con: duckdb.DuckDBPyConnection, results: list[Transcription]) -> None:
    """Every file that passed becomes `raw.<table>`, with the spec's columns and types."""
    for result in results:
        if result.ok:
            spec = result.table.spec
            create_typed_table(con, "raw", spec, f"SELECT * FROM {result.incoming} ORDER BY line")  # noqa: S608
    run(con, f"DROP SCHEMA IF EXISTS {INCOMING} CASCADE")
