"""`python -m pipeline.cli checksums`: is each origin record's sha256 that of its data file?
It covers every data file a refresh reads (transcriptions and long-format sources), with the
same bounded reads and the same record model as a refresh, so the two never disagree. With
--write, the new checksum is put into the record only after the record, so changed, validates;
the record is replaced atomically. A record of a new file may hold a placeholder (`TODO`, empty,
any text that is not a sha256) or no `sha256:` line at all: --write adds the checksum; a record
whose checksum is a real one that differs (the file was edited) is updated, as the README says.

Belongs here: finding stale records and rewriting them. Stays out: console output (cli.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pydantic
import yaml

from pipeline.schemas import parse_yaml
from pipeline.schemas.origin import (
    LONG_SOURCE,
    TRANSCRIPTION,
    OriginRecord,
    missing_for_kind,
)
from pipeline.schemas.raw import RAW_TABLES
from pipeline.transforms import files
from pipeline.transforms.problems import SHOWN_CHECKSUM
from pipeline.transforms.sources.indicator_sources import FOLDER, source_ids
from pipeline.transforms.sources.inventory import declared_files
from pipeline.transforms.sources.origins import (
    LoadedRecord,
    load_record,
    record_path,
    undeclared_files,
    with_new_checksum,
)

OK, NEW, STALE, BROKEN = "ok", "new", "stale", "broken"  # new: no checksum recorded yet
SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass
class RecordStatus:
    data: str  # shown path of the data file
    record: LoadedRecord
    status: str = OK
    actual: str = ""  # the data file's sha256
    recorded: str = ""  # the record's sha256 as written ("" when none)
    details: list[str] = field(default_factory=list)


def statuses(raw_dir: Path) -> list[RecordStatus]:
    """Every data file's record: ok, stale (checksum differs) or broken (with why)."""
    found = []
    for table in RAW_TABLES:
        data = raw_dir / table.relative_path
        found.append(
            _status(raw_dir, data, record_path(data), TRANSCRIPTION, files.MAX_TRANSCRIPTION_BYTES)
        )
    for source_id in source_ids(raw_dir):
        record_file = raw_dir / FOLDER / f"{source_id}.meta.yml"
        loaded = load_record(record_file, raw_dir, LONG_SOURCE)
        name = loaded.record.file if loaded.record else _field(loaded.text, "file")
        data = record_file.parent / name if _is_file_name(name) else record_file
        found.append(
            _status(raw_dir, data, record_file, LONG_SOURCE, files.MAX_SOURCE_BYTES, loaded)
        )
    return found


def undeclared(raw_dir: Path) -> list[str]:
    declared, _ = declared_files(raw_dir)
    return [p.message() for p in undeclared_files(raw_dir, declared)]


def _status(raw_dir, data: Path, record: Path, kind: str, limit: int, loaded=None) -> RecordStatus:
    loaded = loaded or load_record(record, raw_dir, kind)
    status = RecordStatus(files.shown(data, raw_dir), loaded)
    if loaded.record is None and not loaded.text:
        status.status = BROKEN
        status.details = [p.message() for p in loaded.problems]
        return status
    if data == record:
        status.status = BROKEN
        status.details = [p.message() for p in loaded.problems] or ["the record names no data file"]
        return status
    try:
        files.check_readable(data, raw_dir, limit)
    except files.FileRefused as refused:
        status.status = BROKEN
        status.details = [f"{status.data}: {refused}"]
        return status
    status.actual = files.sha256_file(data)
    recorded = loaded.record.sha256 if loaded.record else _field(loaded.text, "sha256")
    status.recorded = recorded or ""
    if not SHA256.fullmatch(status.recorded):
        status.status = NEW
        status.details = [f"no checksum recorded yet ({recorded or 'none'}); file {status.actual}"]
    elif recorded != status.actual:
        status.status = STALE
        status.details = [f"recorded {recorded}, file {status.actual}"]
    other = [p.message() for p in loaded.problems if p.column != "sha256"]
    if other:
        status.status = BROKEN if status.status == OK else status.status
        status.details += other
    return status


def _field(text: str, name: str) -> str:
    """A top-level field of a record the model refused (e.g. for its placeholder checksum)."""
    try:
        document = parse_yaml(text)
    except yaml.YAMLError:
        return ""
    return str(document.get(name) or "") if isinstance(document, dict) else ""


def _is_file_name(name: str | None) -> bool:
    return bool(name) and Path(name).name == name and name not in (".", "..")


def writable(status: RecordStatus) -> bool:
    """--write may record this file's checksum: its only problem is the checksum (a new file's
    placeholder, or a real one after a deliberate edit)."""
    return status.status in (NEW, STALE) and not status.details[1:]


def written_line(status: RecordStatus) -> str:
    """One line for a record --write changed: the new checksum, and what it replaced."""
    new = _short(status.actual)
    if status.status == NEW:
        was = f"'{status.recorded}'" if status.recorded else "none"
        return f"added       {status.record.shown}: sha256 {new} (was {was})"
    return f"updated     {status.record.shown}: sha256 {_short(status.recorded)} -> {new}"


def _short(digest: str) -> str:
    return digest[:SHOWN_CHECKSUM] + "…"


def write_checksum(status: RecordStatus) -> str | None:
    """Record the data file's checksum in its record. Returns None when written, else why not
    (the record, with the new checksum, still fails the model: fix it by hand first)."""
    loaded = status.record
    try:
        text = with_new_checksum(loaded.text, status.actual)
        document = parse_yaml(text)
        missing = missing_for_kind(OriginRecord.model_validate(document), loaded.kind)
    except (ValueError, yaml.YAMLError, pydantic.ValidationError, AttributeError) as err:
        reason = " ".join(str(err).split())[:300]
        return f"{loaded.shown} was not changed: {reason}"
    if missing:
        kind = loaded.kind.replace("_", " ")
        return f"{loaded.shown} was not changed: a {kind}'s record needs {', '.join(missing)}"
    files.write_atomically(loaded.path, text.encode("utf-8"))
    return None
