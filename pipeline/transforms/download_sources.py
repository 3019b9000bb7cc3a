"""The pinned downloads this project reads, and one function that brings any of them into the
build: validate its origin record, obtain the file (cache or network), parse it, load its
tables, and say what happened.

Adding a download means one `DownloadSource` here (its record, parser and table specs) and its
origin record in raw/<folder>/<stem>.meta.yml.

Belongs here: the registry and that sequence. Stays out: Dagster, HTTP details (downloads.py),
parsing (wjp.py, vdem.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.schemas.origin import DOWNLOAD, line_of_field
from pipeline.schemas.spec import TableSpec
from pipeline.schemas.vdem import DECLARED_CODES, VDEM_ERT
from pipeline.schemas.wjp import WJP_SNAPSHOT, WJP_TABLES, snapshot_status
from pipeline.transforms import vdem, wjp
from pipeline.transforms.downloads import Pin, SourceUnavailable, obtain
from pipeline.transforms.duck import load_frame
from pipeline.transforms.origins import LoadedRecord, load_record
from pipeline.transforms.problems import Problem


@dataclass(frozen=True)
class DownloadSource:
    source_id: str  # also its source_id in marts.indicators
    folder: str  # raw/<folder>/<stem>.meta.yml is its origin record
    stem: str
    suffix: str  # of the file, e.g. ".json"
    url_env: str  # replaces the pinned URL (a mirror or a local server), never the checksum
    tables: tuple[TableSpec, ...]  # what `parse` returns, by name
    status: TableSpec  # raw.<name>: available or not, and why
    parse: Callable[[Path], dict[str, pd.DataFrame]]
    description: str
    declared_codes: TableSpec | None = None  # the record's country_codes, as this table
    check: Callable | None = None  # (con, record) -> problems with the loaded rows

    @property
    def asset_name(self) -> str:
        return f"raw_{self.folder}__{self.stem}"

    def record_path(self, raw_dir: Path) -> Path:
        return raw_dir / self.folder / f"{self.stem}.meta.yml"


WJP = DownloadSource(
    source_id="wjp_roli",
    folder="wjp",
    stem="roli",
    suffix=".json",
    url_env="WJP_SNAPSHOT_URL",
    tables=WJP_TABLES,
    status=WJP_SNAPSHOT,
    parse=wjp.read_snapshot,
    description="WJP Rule of Law Index scores for every country and edition (2015-2025), from "
    "the pinned snapshot. Region and income group are the 2025 groupings.",
)
VDEM = DownloadSource(
    source_id="vdem_ert",
    folder="vdem",
    stem="ert",
    suffix=".csv",
    url_env="VDEM_SNAPSHOT_URL",
    tables=(VDEM_ERT,),
    status=snapshot_status("vdem_snapshot"),
    parse=vdem.read_ert,
    description="V-Dem's Episodes of Regime Transformation 15.0: regime type, electoral democracy "
    "index with its interval, and autocratization and democratization episodes, for every "
    "country and year 1900-2024, from the pinned file.",
    declared_codes=DECLARED_CODES,
    check=vdem.unknown_codes,
)
DOWNLOADS: tuple[DownloadSource, ...] = (WJP, VDEM)


@dataclass
class Fetched:
    """What bringing one download into the build gave."""

    source: DownloadSource
    record: LoadedRecord
    status: str = "unavailable"  # or "available"
    obtained_from: str | None = None
    reason: str = ""
    url: str = ""
    rows: int = 0
    refusals: list[Problem] = field(default_factory=list)  # blocking: a broken or unmet pin
    content: list[Problem] = field(default_factory=list)  # blocking: rows the spec refuses

    @property
    def status_row(self) -> dict:
        record = self.record.record
        return {
            "status": self.status,
            "reason": self.reason or None,
            "url": self.url,
            "sha256": record.sha256 if record else "",
            "obtained_from": self.obtained_from,
        }


def fetch(
    con: duckdb.DuckDBPyConnection,
    source: DownloadSource,
    raw_dir: Path,
    cache_dir: Path,
    timeout: float,
    published_pin: str | None,
    url_override: str | None = None,
) -> Fetched:
    """Validate the pin, obtain and parse the file, load its tables (empty when unavailable).
    The URL is `url_override`, else the source's environment variable, else the pinned URL."""
    record = load_record(source.record_path(raw_dir), raw_dir, DOWNLOAD)
    fetched = Fetched(source, record, refusals=list(record.problems))
    frames = {}
    if not fetched.refusals:
        url = url_override or os.environ.get(source.url_env) or fetched.record.record.url
        frames = _obtain(fetched, url, cache_dir, timeout, published_pin)
    for spec in source.tables:
        frame = frames.get(spec.name, pd.DataFrame(columns=spec.column_names))
        load_frame(con, "raw", spec, frame)
    fetched.rows = sum(len(f) for f in frames.values())
    load_frame(con, "raw", source.status, pd.DataFrame([fetched.status_row]))
    if source.declared_codes is not None:
        load_frame(con, "raw", source.declared_codes, vdem.declared_codes(record))
    if source.check is not None and frames:
        fetched.content = source.check(con, record)
    return fetched


def _obtain(fetched: Fetched, url: str, cache_dir: Path, timeout: float, published_pin) -> dict:
    source, record = fetched.source, fetched.record.record
    fetched.url = url
    pin = Pin(url, record.sha256, record.bytes, source.suffix, source.url_env)
    try:
        obtained = obtain(pin, cache_dir / source.folder, source.parse, timeout)
    except SourceUnavailable as unavailable:
        fetched.reason = str(unavailable)
        if published_pin and published_pin != record.sha256:
            fetched.refusals.append(_pin_unmet(fetched, published_pin, str(unavailable)))
        return {}
    fetched.status, fetched.obtained_from = "available", obtained.obtained_from
    fetched.reason = (
        f"from the cache ({obtained.path.name}; not downloaded again)"
        if obtained.obtained_from == "cache"
        else f"downloaded from {fetched.url} and cached"
    )
    return obtained.accepted


def _pin_unmet(fetched: Fetched, published_pin: str, reason: str) -> Problem:
    loaded = fetched.record
    return Problem(
        loaded.shown,
        line_of_field(loaded.text, "sha256"),
        "sha256",
        "a changed pin is met by the file it names (the current release was built from "
        f"{published_pin[:12]}…)",
        f"{loaded.record.sha256}: {reason}",
        fix=f"correct sha256 (and bytes) in {loaded.shown}, or make the pinned file reachable "
        f"({fetched.source.url_env} sets a mirror)",
    )
