"""The pinned downloads this project reads, and one function that brings any of them into the
build: validate its origin record, obtain the file (cache or network), parse it, load its
tables, and say what happened.

Adding a download means one `DownloadSource` here (its record, parser and table specs), its
origin record in raw/<folder>/<stem>.meta.yml and its mirror variable (pipeline/settings).

Belongs here: the registry and that sequence. Stays out: Dagster, HTTP details (downloads.py),
parsing (wjp.py, vdem.py).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipeline.schemas.origin import DOWNLOAD, line_of_field
from pipeline.schemas.rules import sql_literal
from pipeline.schemas.spec import TableSpec, qualified
from pipeline.schemas.vdem import DECLARED_CODES, VDEM_ERT
from pipeline.schemas.wjp import WJP_SNAPSHOT, WJP_TABLES, snapshot_status
from pipeline.settings import MIRRORS
from pipeline.transforms.duck import create_typed_table, ensure_schema, load_frame, run
from pipeline.transforms.files import sha256_file
from pipeline.transforms.problems import Problem
from pipeline.transforms.sources import vdem, wjp
from pipeline.transforms.sources.downloads import (
    DOWNLOAD_DEADLINE_SECONDS,
    Pin,
    Progress,
    SourceUnavailable,
    obtain,
)
from pipeline.transforms.sources.origins import LoadedRecord, load_record
from pipeline.transforms.validation import accessed_problems
from pipeline.version import code_of, digest

if TYPE_CHECKING:
    import pandas as pd

PARSED = "parsed"  # cache_dir/parsed/<folder>/<sha256>-<parser version>/<table>.parquet
PARSED_CHECKSUMS = "checksums.json"  # in that folder: {table file: sha256}, checked before use
PARSED_KEPT = 3  # parsings kept per source (the newest), for other code versions in use


@dataclass(frozen=True)
class DownloadSource:
    source_id: str  # also its source_id in marts.indicators
    folder: str  # raw/<folder>/<stem>.meta.yml is its origin record
    stem: str
    suffix: str  # of the file, e.g. ".json"
    tables: tuple[TableSpec, ...]  # what `parse` returns, by name
    status: TableSpec  # raw.<name>: available or not, and why
    parse: Callable[[Path], dict[str, pd.DataFrame]]
    description: str
    declared_codes: TableSpec | None = None  # the record's country_codes, as this table
    check: Callable | None = None  # (con, record) -> problems with the loaded rows

    @property
    def asset_name(self) -> str:
        return f"raw_{self.folder}__{self.stem}"

    @property
    def url_env(self) -> str:  # sets a mirror; pipeline/settings reads it (download_urls)
        return MIRRORS[self.source_id]

    def record_path(self, raw_dir: Path) -> Path:
        return raw_dir / self.folder / f"{self.stem}.meta.yml"

    def pin(self, record, url_override: str | None = None) -> Pin:
        """The pinned file, from `url_override` (a mirror), else the pinned URL; sha256 checked."""
        url = url_override or record.url
        return Pin(url, record.sha256, record.bytes, self.suffix, self.url_env)


WJP = DownloadSource(
    source_id="wjp_roli",
    folder="wjp",
    stem="roli",
    suffix=".json",
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
    repairs: list[str] = field(default_factory=list)  # cached copies that failed their check

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
    deadline: float = DOWNLOAD_DEADLINE_SECONDS,
    log: Callable[[str], None] | None = None,
    shared=None,
) -> Fetched:
    """Validate the pin, obtain and parse the file, load its tables (empty when unavailable).
    The URL is `url_override` (the source's mirror, Settings.download_urls), else the pinned
    URL.
    `timeout` bounds each read of a download, `deadline` all of it; `log` hears its progress
    ("raw_wjp__roli: 1.2 of 3.1 MB downloaded") every few seconds. `shared`: a cache of the
    downloads other machines read too (the release store's), tried before the network."""
    record = load_record(source.record_path(raw_dir), raw_dir, DOWNLOAD)
    fetched = Fetched(source, record, refusals=list(record.problems))
    tables = {}
    if not fetched.refusals:
        pin = source.pin(fetched.record.record, url_override)
        limits = (timeout, deadline, _progress(source, log), shared)
        tables = _obtain(fetched, pin, cache_dir, limits, published_pin)
    for spec in source.tables:
        if spec.name in tables:
            parquet = f"SELECT * FROM read_parquet({sql_literal(str(tables[spec.name]))})"  # noqa: S608
            fetched.rows += create_typed_table(con, "raw", spec, parquet)
        else:
            ensure_schema(con, "raw")
            run(con, spec.create_table_sql(qualified("raw", spec.name)))
    status = [fetched.status_row[c] for c in source.status.column_names]
    load_frame(con, "raw", source.status, source.status.frame([status]))
    if source.declared_codes is not None:
        load_frame(con, "raw", source.declared_codes, vdem.declared_codes(record))
    if source.check is not None and tables:
        fetched.content = source.check(con, record)
    accessed = record.record.date_accessed if tables else None
    for spec in source.tables if accessed else ():
        shown = f"{source.stem}{source.suffix} ({spec.name})"
        fetched.content += accessed_problems(
            con, spec, qualified("raw", spec.name), shown, accessed
        )
    return fetched


def _obtain(fetched: Fetched, pin: Pin, cache_dir: Path, limits: tuple, published_pin) -> dict:
    """{table name: its parsed rows as a Parquet file}, or {} when the file cannot be had.
    `limits`: the read timeout, the deadline and the progress callback of a download."""
    source, record = fetched.source, fetched.record.record
    fetched.url = pin.url
    parsed = cache_dir / PARSED / source.folder / f"{record.sha256}-{parser_version()}"
    try:
        accept = _parsed_once(source, parsed, fetched.repairs)
        obtained = obtain(pin, cache_dir / source.folder, accept, *limits)
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


def _progress(source: DownloadSource, log: Callable[[str], None] | None) -> Progress | None:
    """A download's progress as one line to `log`, in MB."""
    if log is None:
        return None

    def say(received: int, expected: int) -> None:
        log(f"{source.asset_name}: {received / 1e6:.1f} of {expected / 1e6:.1f} MB downloaded")

    return say


def parser_version() -> str:
    """The version of the code that parses and validates a download (this module and what it
    imports): a parsed table is reused only by the code that made it."""
    return digest(code_of([__name__]))


def _parsed_once(
    source: DownloadSource, folder: Path, repairs: list[str]
) -> Callable[[Path], dict[str, Path]]:
    """The parser of `source`, run once per (file, code version): its validated tables are kept
    as Parquet files in `folder` (keyed by the file's sha256 and the code version), with their
    checksums, which later refreshes verify, then load directly, without parsing or validating
    the file again. Parsed tables that fail their check are parsed again from the verified file
    (noted in `repairs`): a damaged cache is never loaded."""

    def accept(path: Path) -> dict[str, Path]:
        tables = {spec.name: folder / f"{spec.name}.parquet" for spec in source.tables}
        damage = _parsed_damage(folder, tables) if folder.exists() else None
        if damage:
            repairs.append(
                f"the cached parsed tables {folder.name[:12]}... failed their check ({damage}): "
                "parsed again from the verified download"
            )
            shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            _write_parsed(source, source.parse(path), folder)
        return tables

    return accept


def _parsed_damage(folder: Path, tables: dict[str, Path]) -> str:
    """What is wrong with a parsed folder ('' when every table matches its checksum)."""
    try:
        recorded = json.loads((folder / PARSED_CHECKSUMS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{PARSED_CHECKSUMS} missing or unreadable"
    for path in tables.values():
        if not path.is_file():
            return f"{path.name} missing"
        found, expected = sha256_file(path), recorded.get(path.name, "")
        if found != expected:
            return f"{path.name}: sha256 {found[:12]}, recorded {expected[:12] or 'none'}"
    return ""


def _write_parsed(source: DownloadSource, frames: dict, folder: Path) -> None:
    """Write the parsed tables into `folder` atomically; other parsings of the source go."""
    temporary = folder.with_name(f".{folder.name}.{os.getpid()}.tmp")
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    with duckdb.connect() as con:
        for spec in source.tables:
            load_frame(con, "main", spec, frames.get(spec.name, spec.frame([])))
            target = sql_literal(str(temporary / f"{spec.name}.parquet"))
            con.execute(f"COPY {qualified('main', spec.name)} TO {target} (FORMAT parquet)")
    checksums = {f.name: sha256_file(f) for f in sorted(temporary.glob("*.parquet"))}
    (temporary / PARSED_CHECKSUMS).write_text(json.dumps(checksums, indent=1), encoding="utf-8")
    try:
        temporary.rename(folder)
    except OSError:  # another refresh parsed the same file at the same moment: keep its copy
        shutil.rmtree(temporary, ignore_errors=True)
    kept = sorted(
        (f for f in folder.parent.iterdir() if not f.name.startswith(".")),
        key=lambda f: f.stat().st_mtime,
    )
    for old in kept[:-PARSED_KEPT]:
        shutil.rmtree(old, ignore_errors=True)


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
