"""The inventory of raw/: every file, what declares it, and its checksum. It is what a refresh
reads (recorded in each release's manifest) and what the sensor and `make run` compare with the
current release to decide whether anything changed.

A file is declared by a transcription spec (its CSV and record), a download source (its
record), or a long-format source's record (the record and the data file it names). Anything
else under raw/ is refused by name. A long source's data file is not hashed here (it may be
gigabytes; its record states its checksum, and a refresh refuses a file that disagrees).

Belongs here: listing and hashing raw/. Stays out: validating the files (their readers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pipeline.schemas import parse_yaml
from pipeline.schemas.raw import RAW_TABLES
from pipeline.transforms import files
from pipeline.transforms.problems import Problem
from pipeline.transforms.sources.download_sources import DOWNLOADS
from pipeline.transforms.sources.indicator_sources import FOLDER, long_source_key, source_ids
from pipeline.transforms.sources.origins import record_path, undeclared_files

# The inventory's asset, named like every source's beside the source (a transcription's in its
# spec, a download's in its registry, a long-format source's by long_source_key).
INVENTORY_ASSET = "raw_inventory"


@dataclass
class Inventory:
    inputs: dict[str, str] = field(default_factory=dict)  # shown path -> sha256
    problems: list[Problem] = field(default_factory=list)
    by_asset: dict[str, dict[str, str]] = field(default_factory=dict)  # asset -> its inputs


def files_by_asset(raw_dir: Path) -> tuple[dict[str, list[Path]], dict[Path, str]]:
    """The files under raw/ each source asset reads (a transcription its CSV and record, a
    download its record, a long-format source its record and the data file it names), and for
    long-source data files the checksum their record states."""
    by_asset: dict[str, list[Path]] = {}
    stated: dict[Path, str] = {}
    for table in RAW_TABLES:
        csv_path = raw_dir / table.relative_path
        by_asset[table.asset_name] = [csv_path, record_path(csv_path)]
    for source in DOWNLOADS:
        by_asset[source.asset_name] = [source.record_path(raw_dir)]
    for source_id in source_ids(raw_dir):
        record = raw_dir / FOLDER / f"{source_id}.meta.yml"
        by_asset[long_source_key(source_id)] = [record]
        data_name, sha256 = _named_data_file(record)
        if data_name:
            by_asset[long_source_key(source_id)].append(record.parent / data_name)
            stated[record.parent / data_name] = sha256
    return by_asset, stated


def declared_files(raw_dir: Path) -> tuple[set[Path], dict[Path, str]]:
    """Paths under raw/ that specs and records declare, and for long-source data files the
    checksum their record states."""
    by_asset, stated = files_by_asset(raw_dir)
    return {path for paths in by_asset.values() for path in paths}, stated


def _named_data_file(record: Path) -> tuple[str | None, str]:
    """The data file a long-source record names and the checksum it states (best effort: a
    broken record is refused by the source's own check)."""
    try:
        document = parse_yaml(files.read_bounded(record, record.parent, files.MAX_RECORD_BYTES))
    except (files.FileRefused, yaml.YAMLError, UnicodeDecodeError):
        return None, ""
    if not isinstance(document, dict) or not isinstance(document.get("file"), str):
        return None, ""
    name = document["file"]
    if "/" in name or "\\" in name or name in (".", ".."):
        return None, ""
    return name, str(document.get("sha256") or "")


def take_inventory(raw_dir: Path) -> Inventory:
    """Every declared file with its checksum, also grouped by the asset that reads it; every
    undeclared one as a problem."""
    inventory = Inventory()
    by_asset, stated = files_by_asset(raw_dir)
    declared = {path for paths in by_asset.values() for path in paths}
    inventory.problems += undeclared_files(raw_dir, declared)
    for path in sorted(declared):
        shown = files.shown(path, raw_dir)
        if path in stated:
            inventory.inputs[shown] = f"stated {stated[path]}"
            continue
        try:
            files.check_readable(path, raw_dir, files.MAX_TRANSCRIPTION_BYTES)
        except files.FileRefused as refused:
            inventory.inputs[shown] = f"unreadable: {refused}"
            continue
        inventory.inputs[shown] = files.sha256_file(path)
    inventory.by_asset = {
        key: {files.shown(p, raw_dir): inventory.inputs[files.shown(p, raw_dir)] for p in paths}
        for key, paths in by_asset.items()
    }
    return inventory
