"""Read one raw CSV and its origin record strictly, and report every way it is broken.

Belongs here: byte-level and CSV-level checks (encoding, BOM, line ends, quoting, field
counts, header), the origin record's required fields and checksum, and the conversion of text
cells to typed values. Stays out: value rules (schemas/) and links between files
(raw_relations.py). Nothing here imports Dagster.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from pipeline.schemas.raw import RawTable
from pipeline.schemas.spec import BOOL, INT
from pipeline.transforms.problems import Problem, validate_frame

# The paper's tables are a few kilobytes; a raw file this large is a mistake (a pasted dump, a
# runaway export), not a transcription. Large indicator sources take another path.
MAX_RAW_BYTES = 5_000_000
REQUIRED_ORIGIN_FIELDS = (
    "title", "producer", "citation", "locator", "license", "transcription", "sha256", "columns",
)  # fmt: skip
# Each pair: a field, and the note that must explain it when it is empty.
ORIGIN_FIELDS_WITH_REASON = (("url", "url_note"), ("date_accessed", "date_accessed_note"))
_INT = re.compile(r"-?[0-9]{1,9}")  # ASCII digits only, used with fullmatch
_BOOLS = {"true": True, "false": False}


@dataclass
class RawFile:
    """A raw file read from disk: its typed rows (None if unreadable) and its problems."""

    table: RawTable
    path: Path
    display_path: str
    sha256: str = ""
    origin: dict = field(default_factory=dict)
    frame: pd.DataFrame | None = None
    problems: list[Problem] = field(default_factory=list)


def origin_path(csv_path: Path) -> Path:
    return csv_path.with_name(csv_path.name.removesuffix(".csv") + ".meta.yml")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_raw_file(table: RawTable, raw_dir: Path) -> RawFile:
    """Read, check and type one raw file. Never raises on bad data: problems are collected."""
    path = raw_dir / table.relative_path
    result = RawFile(table, path, f"raw/{table.relative_path}")
    if not path.is_file():
        result.problems.append(Problem(result.display_path, None, None, "file exists"))
        return result
    data = path.read_bytes()
    result.sha256 = sha256_of(data)
    result.origin, origin_problems = read_origin(path, result.sha256, table)
    result.problems += origin_problems
    text, byte_problems = decode_strictly(data, result.display_path)
    result.problems += byte_problems
    if text is None:
        return result
    rows, csv_problems = parse_csv(text, table, result.display_path)
    result.problems += csv_problems
    if rows is None:
        return result
    frame, type_problems = to_typed_frame(rows, table, result.display_path)
    result.problems += type_problems
    mistyped = {(p.row, p.column) for p in type_problems}
    result.problems += [
        p
        for p in validate_frame(frame, table.spec, result.display_path)
        if not (p.rule == "required (not empty)" and (p.row, p.column) in mistyped)
    ]  # a cell of the wrong type is reported once, as such
    result.frame = frame
    return result


def read_origin(csv_path: Path, actual_sha256: str, table: RawTable) -> tuple[dict, list[Problem]]:
    """Load the origin record beside the CSV and check it is complete and matches the file."""
    path = origin_path(csv_path)
    shown = f"raw/{table.source}/{path.name}"
    origin, problems = load_origin_record(path, shown)
    if problems:
        return origin, problems
    return origin, check_origin_record(origin, shown, actual_sha256, table.spec.column_names)


def load_origin_record(path: Path, shown: str, beside: str = "CSV") -> tuple[dict, list[Problem]]:
    if not path.is_file():
        return {}, [Problem(shown, None, None, f"origin record exists beside the {beside}")]
    try:
        origin = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        return {}, [Problem(shown, None, None, "origin record is valid UTF-8 YAML", str(err))]
    if not isinstance(origin, dict):
        return {}, [Problem(shown, None, None, "origin record is a YAML mapping")]
    return origin, []


def check_origin_record(
    origin: dict,
    shown: str,
    actual_sha256: str,
    columns: list[str],
    required: tuple[str, ...] = REQUIRED_ORIGIN_FIELDS,
) -> list[Problem]:
    """Complete, its checksum matches the data file, its column docs match the columns."""
    problems = [
        Problem(shown, None, key, "origin record field is present and not empty")
        for key in required
        if not origin.get(key)
    ]
    for value_key, reason_key in ORIGIN_FIELDS_WITH_REASON:
        if not origin.get(value_key) and not origin.get(reason_key):
            rule = f"{value_key} is given, or {reason_key} says why not"
            problems.append(Problem(shown, None, value_key, rule))
    recorded = str(origin.get("sha256") or "")
    if recorded and recorded != actual_sha256:
        rule = "sha256 in the origin record matches the CSV (edited without updating it?)"
        problems.append(
            Problem(shown, None, "sha256", rule, f"recorded {recorded}, file {actual_sha256}")
        )
    documented = list((origin.get("columns") or {}).keys())
    if documented and documented != columns:
        rule = "origin record documents exactly the table's columns, in order"
        problems.append(Problem(shown, None, "columns", rule, ", ".join(documented)))
    return problems


def decode_strictly(data: bytes, shown: str) -> tuple[str | None, list[Problem]]:
    if len(data) > MAX_RAW_BYTES:
        return None, [Problem(shown, None, None, f"file is at most {MAX_RAW_BYTES:,} bytes",
                              f"{len(data):,} bytes")]  # fmt: skip
    if not data:
        return None, [Problem(shown, None, None, "file is not empty")]
    if data.startswith(b"\xef\xbb\xbf"):
        return None, [Problem(shown, None, None, "UTF-8 without a byte-order mark (BOM)")]
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        return None, [Problem(shown, _data_row(line), None, "valid UTF-8",
                              f"byte 0x{data[err.start]:02x} at line {line}")]  # fmt: skip
    problems = []
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        problems.append(Problem(shown, _data_row(line), None, "LF line endings (no CR/CRLF)"))
    if not text.endswith("\n"):
        rule = "file ends with a newline (is the last line truncated?)"
        problems.append(Problem(shown, _data_row(text.count("\n") + 1), None, rule))
    return (None if problems else text), problems


def _data_row(line: int) -> int | None:
    """Physical line to 1-based data row (line 1 is the header)."""
    return line - 1 if line > 1 else None


def parse_csv(text: str, table: RawTable, shown: str) -> tuple[list[dict] | None, list[Problem]]:
    # Long fields are a value rule's business (reported on their column), not the parser's.
    csv.field_size_limit(MAX_RAW_BYTES)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    record_start = 1  # physical line where the record being read begins
    try:
        for record in reader:
            records.append(record)
            record_start = reader.line_num + 1
    except csv.Error as err:
        row = _data_row(record_start)
        return None, [Problem(shown, row, None, "well-formed CSV (balanced quotes)", str(err))]
    if not records:
        return None, [Problem(shown, None, None, "file has a header row")]
    header, body = records[0], records[1:]
    problems = _header_problems(header, table, shown)
    if problems:
        return None, problems
    if not body:
        return None, [Problem(shown, None, None, "file has at least one data row")]
    for number, record in enumerate(body, start=1):
        if len(record) != len(header):
            rule = f"row has {len(header)} fields like the header (stray delimiter or quote?)"
            problems.append(Problem(shown, number, None, rule, f"{len(record)} fields"))
    if problems:
        return None, problems
    return [dict(zip(header, record, strict=True)) for record in body], []


def _header_problems(header: list[str], table: RawTable, shown: str) -> list[Problem]:
    expected = table.spec.column_names
    if header == expected:
        return []
    problems = [
        Problem(shown, None, name, "column required by the spec is present")
        for name in expected
        if name not in header
    ]
    problems += [
        Problem(shown, None, name, "column is in the spec (unexpected or renamed column)")
        for name in header
        if name not in expected
    ]
    if not problems:
        problems.append(
            Problem(shown, None, None, "columns are in the spec's order", ", ".join(header))
        )
    return problems


def to_typed_frame(rows: list[dict], table: RawTable, shown: str):
    """Text cells to typed columns: '' is missing; ints and booleans are parsed strictly."""
    problems: list[Problem] = []
    columns = {}
    for spec_field in table.spec.fields:
        values = []
        for number, row in enumerate(rows, start=1):
            value, problem = _convert(row[spec_field.name], spec_field.dtype)
            if problem:
                problems.append(
                    Problem(shown, number, spec_field.name, problem, row[spec_field.name])
                )
            values.append(value)
        columns[spec_field.name] = _series(values, spec_field.dtype)
    return pd.DataFrame(columns), problems


def _convert(cell: str, dtype: str):
    if cell == "":
        return None, None
    if dtype == INT:
        if not _INT.fullmatch(cell):
            return None, "an integer"
        return int(cell), None
    if dtype == BOOL:
        if cell not in _BOOLS:
            return None, "true or false"
        return _BOOLS[cell], None
    return cell, None


def _series(values: list, dtype: str) -> pd.Series:
    if dtype == INT:
        return pd.Series(values, dtype="Int64")
    if dtype == BOOL:
        return pd.Series(values, dtype="boolean")
    return pd.Series(values, dtype="object")


def source_files_frame(files) -> pd.DataFrame:
    """One row per raw file: its checksum and the main fields of its origin record."""
    rows = []
    for raw_file in files:
        origin = raw_file.origin
        rows.append(
            {
                "raw_table": raw_file.table.name,
                "path": raw_file.display_path,
                "sha256": raw_file.sha256,
                "origin_sha256": _file_sha256(origin_path(raw_file.path)),
                **{key: _text_or_none(origin.get(key)) for key in _ORIGIN_COLUMNS},
            }
        )
    columns = ["raw_table", "path", "sha256", "origin_sha256", *_ORIGIN_COLUMNS]
    return pd.DataFrame(rows, columns=columns)


_ORIGIN_COLUMNS = ("title", "producer", "citation", "locator", "url", "date_accessed", "license")


def _text_or_none(value) -> str | None:
    return None if value in (None, "") else str(value)


def _file_sha256(path: Path) -> str:
    return sha256_of(path.read_bytes()) if path.is_file() else ""


def tracked_checksums(tables, raw_dir: Path) -> dict[str, str]:
    """sha256 of every raw CSV and origin record the pipeline reads, keyed by repo path."""
    checksums = {}
    for table in tables:
        csv_path = raw_dir / table.relative_path
        checksums[f"raw/{table.relative_path}"] = _file_sha256(csv_path)
        checksums[f"raw/{table.source}/{origin_path(csv_path).name}"] = _file_sha256(
            origin_path(csv_path)
        )
    return checksums


_SHA256_LINE = re.compile(r"^sha256:.*$", re.MULTILINE)


def update_origin_checksum(csv_path: Path) -> str:
    """Write the CSV's current sha256 into its origin record (after a deliberate edit).
    Only the `sha256:` line changes; the rest of the record is kept as written."""
    digest = sha256_of(csv_path.read_bytes())
    meta = origin_path(csv_path)
    text = meta.read_text(encoding="utf-8")
    if not _SHA256_LINE.search(text):
        raise ValueError(f"{meta} has no 'sha256:' line to update")
    meta.write_text(_SHA256_LINE.sub(f"sha256: {digest}", text, count=1), encoding="utf-8")
    return digest
