"""Origin records on disk: find them, read them (bounded), validate them with the one model
(schemas/origin.py), compare them with their data files, and update their checksums.

Belongs here: everything about `.meta.yml` files and the inventory of raw/ (every file is
declared by a spec or a record, or refused by name). Stays out: the record's schema.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pydantic
import yaml

from pipeline.schemas import parse_yaml
from pipeline.schemas.indicator_sources import GATHERED
from pipeline.schemas.origin import (
    DOWNLOAD,
    LONG_SOURCE,
    SPEC_FIELDS,
    TRANSCRIPTION,
    OriginRecord,
    line_of_field,
    missing_for_kind,
    pinned_url,
)
from pipeline.transforms import files
from pipeline.transforms.problems import Problem

RECORD_SUFFIX = ".meta.yml"
WRITE_CHECKSUMS = ".venv/bin/python -m pipeline.cli checksums --write"


_SHA256_LINE = re.compile(r"^sha256:.*$", re.MULTILINE)


def record_path(data_path: Path) -> Path:
    """The origin record beside a data file: `<stem>.meta.yml`."""
    return data_path.with_name(data_path.name.split(".", 1)[0] + RECORD_SUFFIX)


@dataclass
class LoadedRecord:
    path: Path
    shown: str
    kind: str
    record: OriginRecord | None = None
    sha256: str = ""  # of the record file itself
    text: str = ""
    problems: list[Problem] = field(default_factory=list)


def load_record(path: Path, root: Path, kind: str) -> LoadedRecord:
    """Read and validate one origin record; never raises on a bad record."""
    loaded = LoadedRecord(path, files.shown(path, root), kind)
    if not path.exists() and not path.is_symlink():
        rule = "origin record exists beside the data file"
        return _refuse(loaded, rule, fix=f"write {loaded.shown} (README, 'Sources and provenance')")
    try:
        data = files.read_bounded(path, root, files.MAX_RECORD_BYTES)
    except files.FileRefused as refused:
        rule = "the origin record is a readable regular file inside raw/"
        return _refuse(loaded, rule, str(refused))
    loaded.sha256 = files.sha256_bytes(data)
    try:
        loaded.text = data.decode("utf-8")
        document = parse_yaml(loaded.text)
    except (UnicodeDecodeError, yaml.YAMLError) as err:
        return _refuse(loaded, "the origin record is valid UTF-8 YAML", _first_line(err))
    if not isinstance(document, dict):
        return _refuse(loaded, "the origin record is a YAML mapping of fields")
    loaded.problems += _spec_fields(loaded, document)
    document = {k: v for k, v in document.items() if k not in SPEC_FIELDS}
    try:
        loaded.record = OriginRecord.model_validate(document)
    except pydantic.ValidationError as err:
        loaded.problems += [_field_problem(loaded, e) for e in err.errors()]
        return loaded
    for name in missing_for_kind(loaded.record, kind):
        loaded.problems.append(
            Problem(
                loaded.shown,
                None,
                name,
                "origin record field is present and not empty",
                fix=_checksum_fix(loaded, name)
                or f"a {kind.replace('_', ' ')}'s record needs {name}",
            )
        )
    if kind == DOWNLOAD and not loaded.problems:
        loaded.problems += _url_disagrees(loaded)
    return loaded


def _spec_fields(loaded: LoadedRecord, document: dict) -> list[Problem]:
    """A record keeps the origin: what the spec holds (the columns and their descriptions, the
    key, the rules) is refused by field, said once, in the spec."""
    return [
        Problem(
            loaded.shown,
            line_of_field(loaded.text, name),
            name,
            "the origin record keeps the origin; the table's spec holds its columns, their "
            "descriptions, key and rules",
            fix=f"remove `{name}:` from {loaded.shown}; the spec (pipeline/schemas/, shown in "
            "docs/data-dictionary.md) describes each column once",
        )
        for name in SPEC_FIELDS
        if name in document
    ]


def _url_disagrees(loaded: LoadedRecord) -> list[Problem]:
    """A pin's url is the one its repository, commit and path give: a typo in either is
    refused, naming both, before it is downloaded or cited."""
    record, derived = loaded.record, pinned_url(loaded.record)
    if derived is None or record.url == derived:
        return []
    return [
        Problem(
            loaded.shown,
            line_of_field(loaded.text, "url"),
            "url",
            f"url is the one repository, commit and path give ({derived})",
            record.url,
            fix=f"correct url (or repository, commit, path) in {loaded.shown}; a mirror is set "
            "with the source's *_SNAPSHOT_URL variable, not in the record",
        )
    ]


def _refuse(loaded: LoadedRecord, rule: str, value: str | None = None, fix=None) -> LoadedRecord:
    loaded.problems.append(Problem(loaded.shown, None, None, rule, value, fix=fix))
    return loaded


def _first_line(err: Exception) -> str:
    return " ".join(str(err).split())[:200]


# Pydantic's error types, in the words of the project's rules.
RULE_OF_ERROR = {
    "missing": "origin record field is present and not empty",
    "string_too_short": "origin record field is present and not empty",
    "extra_forbidden": "a field of the origin record model (unknown or misspelt field)",
    "int_parsing": "an integer",
    "int_type": "an integer",
    "float_parsing": "a number",
    "date_from_datetime_parsing": "a date YYYY-MM-DD",
    "date_parsing": "a date YYYY-MM-DD",
    "dict_type": "a mapping of names to entries",
}
FIELD_RULES = {
    "url": "an http:// or https:// URL",
    "repository": "a GitHub repository owner/name",
    "path": "a path inside the repository (letters, digits, _ . - and /)",
    "sha256": "64 lowercase hex digits (sha256sum of the data file)",
    "file": "a file name beside the record (letters, digits, _ . -) ending .csv or .parquet",
}


def _field_problem(loaded: LoadedRecord, error: dict) -> Problem:
    location = [str(part) for part in error.get("loc", ())]
    rule = error.get("msg", "valid").removeprefix("Value error, ")
    rule = RULE_OF_ERROR.get(error.get("type", ""), rule)
    if error.get("type") == "string_pattern_mismatch" and location:
        rule = FIELD_RULES.get(location[0], f"matches {error.get('ctx', {}).get('pattern', '')}")
    if not location and rule.split(" ", 1)[0] in OriginRecord.model_fields:
        location = [rule.split(" ", 1)[0]]  # a rule across fields names its first field
    name = location[0] if location else None
    value = error.get("input")
    shown_value = None if isinstance(value, dict) or value is None else str(value)
    line = line_of_field(loaded.text, name) if name else None
    column = ".".join(location) if location else None
    return Problem(loaded.shown, line, column, rule, shown_value, fix=_checksum_fix(loaded, name))


def _checksum_fix(loaded: LoadedRecord, name: str | None) -> str | None:
    """How to fill in a local data file's checksum (a download's is its pin: not from a file)."""
    if name == "sha256" and loaded.kind in (TRANSCRIPTION, LONG_SOURCE):
        return f"record the data file's checksum: {WRITE_CHECKSUMS}"
    return None


def check_against_data(loaded: LoadedRecord, data_sha256: str) -> list[Problem]:
    """The record's checksum matches the data file."""
    record = loaded.record
    if record is None or not data_sha256 or record.sha256 == data_sha256:
        return []
    return [
        Problem(
            loaded.shown,
            line_of_field(loaded.text, "sha256"),
            "sha256",
            "sha256 in the origin record matches the data file",
            f"recorded {record.sha256}, file {data_sha256}",
            fix=f"edited on purpose? record its checksum: {WRITE_CHECKSUMS}",
        )
    ]


def with_new_checksum(text: str, digest: str) -> str:
    """The record's text with its `sha256:` line replaced, or added at the end when it has none;
    the rest stays as written."""
    if _SHA256_LINE.search(text):
        return _SHA256_LINE.sub(f"sha256: {digest}", text, count=1)
    return text + ("" if text.endswith("\n") or not text else "\n") + f"sha256: {digest}\n"


def undeclared_files(raw_dir: Path, declared: set[Path]) -> list[Problem]:
    """Every file under raw/ that no spec or origin record declares, by name, with what to do."""
    problems = []
    for folder, subfolders, names in os.walk(raw_dir):
        subfolders.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if path not in declared:
                problems.append(_undeclared(path, raw_dir))
    return problems


def _undeclared(path: Path, raw_dir: Path) -> Problem:
    shown = files.shown(path, raw_dir)
    if path.parent == raw_dir / "indicators" and path.name.split(".", 1)[0] == GATHERED:
        fix = (
            f"rename it: '{GATHERED}' is the asset raw_indicators__{GATHERED}, which gathers "
            "every added source (README, 'Adding a long-format indicator source')"
        )
    elif path.parent == raw_dir / "indicators" and path.suffix in (".csv", ".parquet"):
        fix = f"add its origin record {shown.rsplit('.', 1)[0]}{RECORD_SUFFIX}, or remove the file"
    elif path.name.endswith(RECORD_SUFFIX):
        fix = "remove it, or add the data file it describes"
    else:
        fix = (
            "remove it; an indicator source belongs in raw/indicators/ with an origin record "
            "(README, 'Adding a long-format indicator source')"
        )
    return Problem(
        shown,
        None,
        None,
        "every file under raw/ is declared by a spec or an origin record",
        fix=fix,
    )
