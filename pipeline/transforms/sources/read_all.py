"""Every source of a refresh, read and checked into the build's `raw` schema, as a function of
(connection, folders) that unit tests call with an in-memory DuckDB: the inventory of raw/,
the transcriptions, the pinned downloads, the long-format sources. It returns one `Outcome` per
asset with its checks; the Dagster step (defs/assets/sources.py) only reports them. A partial
build names what it reads by the sources' own names (`Chosen`); turning asset keys into those
is the asset graph's work (pipeline/lineage.py, Graph.chosen_sources).

Belongs here: that sequence and what each check is called. Stays out: Dagster, the asset graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipeline.schemas.indicator_sources import GATHERED
from pipeline.schemas.origin import DOWNLOAD, LONG_SOURCE, TRANSCRIPTION
from pipeline.schemas.raw import RAW_TABLES
from pipeline.settings import Settings
from pipeline.transforms.duck import fresh_schema, run
from pipeline.transforms.outcome import Outcome
from pipeline.transforms.sources import (
    download_sources,
    indicator_sources,
    provenance,
    source_identity,
    transcriptions,
)
from pipeline.transforms.sources.downloads import (
    DOWNLOAD_DEADLINE_SECONDS,
    DOWNLOAD_TIMEOUT_SECONDS,
)
from pipeline.transforms.sources.indicator_sources import long_source_key
from pipeline.transforms.sources.inventory import INVENTORY_ASSET, take_inventory

CHECK_DECLARED = "every_file_is_declared"
CHECK_ORIGIN = "origin_record_matches_file"
CHECK_ROWS = "rows_follow_schema"
CHECK_PIN = "pin_is_valid_and_met"
CHECK_AVAILABLE = "snapshot_available"
CHECK_CACHE = "cache_verified"


@dataclass(frozen=True)
class DownloadOptions:
    timeout_seconds: float = DOWNLOAD_TIMEOUT_SECONDS  # each connect and read
    urls: dict[str, str] = field(default_factory=dict)  # source_id -> URL
    published_pins: dict[str, str] = field(default_factory=dict)  # source_id -> sha256
    deadline_seconds: float = DOWNLOAD_DEADLINE_SECONDS  # the whole download
    shared_cache: object = None  # the release store's cache of downloads (get/put), if any


@dataclass(frozen=True)
class Chosen:
    """What a partial build reads, each source by its own name (no asset keys)."""

    inventory: bool = False  # the inventory of raw/
    tables: frozenset[str] = frozenset()  # transcriptions, by table name
    downloads: frozenset[str] = frozenset()  # pinned downloads, by source_id
    long_sources: frozenset[str] = frozenset()  # long-format sources, by source_id
    gathered: bool = False  # the valid long-format sources gathered for marts.indicators


def read_sources(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    long_sources: list[str],
    downloads: DownloadOptions,
    log=None,
    tables=RAW_TABLES,
    fetch=download_sources.DOWNLOADS,
    only: Chosen | None = None,
    reused: tuple[str, ...] = (),
) -> list[Outcome]:
    """Read and check the sources (`tables`: the transcriptions to read, `fetch`: the downloads
    to obtain, all by default; `only`: what to read of those, everything by default); load the ones
    that pass. Never raises on bad data. Reading everything, the raw schema starts empty;
    reading some (a partial build), the other raw tables stay as they are. `reused`: the
    long-format sources whose typed tables a partial build keeps from the published release
    (pipeline/reuse.py), gathered with the others without being read."""

    if only is None:
        fresh_schema(con, "raw")
    everything = only is None
    outcomes = [_inventory(con, settings.raw_dir)] if everything or only.inventory else []
    read = [t for t in tables if everything or t.name in only.tables]
    outcomes += _transcriptions(con, settings.raw_dir, read)
    obtained = [s for s in fetch if everything or s.source_id in only.downloads]
    outcomes += _downloads(con, settings, downloads, obtained, log)
    chosen = [s for s in long_sources if everything or s in only.long_sources]
    gathered = everything or only.gathered
    outcomes += _long_sources(con, settings, chosen, log, gathered, reused)
    return outcomes


def _inventory(con, raw_dir: Path) -> Outcome:
    inventory = take_inventory(raw_dir)
    run(con, "CREATE OR REPLACE TABLE raw.inventory (path VARCHAR PRIMARY KEY, sha256 VARCHAR)")
    if inventory.inputs:
        con.executemany("INSERT INTO raw.inventory VALUES (?, ?)", list(inventory.inputs.items()))
    return Outcome(
        INVENTORY_ASSET,
        "raw.inventory",
        {"files": len(inventory.inputs)},
        {CHECK_DECLARED: inventory.problems},
    )


def _transcriptions(con, raw_dir: Path, tables) -> list[Outcome]:
    results = transcriptions.read_transcriptions(con, raw_dir, tables)
    transcriptions.load_transcriptions(con, results)
    outcomes = []
    provenance.record_source_files(
        con,
        [
            provenance.source_file_row(
                result.table.asset_name,
                f"raw.{result.table.name}",
                TRANSCRIPTION,
                result.shown,
                result.sha256,
                result.record,
            )
            for result in results
        ],
    )
    for result in results:
        key, name = result.table.asset_name, result.table.name
        outcomes.append(
            Outcome(
                key,
                f"raw.{name}" if result.ok else None,
                {"path": result.shown, "sha256": result.sha256},
                {CHECK_ORIGIN: result.origin_problems, CHECK_ROWS: result.row_problems},
            )
        )
    return outcomes


def _downloads(con, settings: Settings, options: DownloadOptions, sources, log) -> list[Outcome]:
    outcomes, files = [], []
    for source in sources:
        fetched = download_sources.fetch(
            con,
            source,
            settings.raw_dir,
            settings.cache_dir,
            options.timeout_seconds,
            options.published_pins.get(source.source_id),
            options.urls.get(source.source_id),
            options.deadline_seconds,
            log,
            options.shared_cache,
        )
        record = fetched.record.record
        files.append(
            provenance.source_file_row(
                source.asset_name,
                f"raw.{source.tables[0].name}",
                DOWNLOAD,
                record.url if record else fetched.record.shown,
                record.sha256 if record else None,
                fetched.record,
                "loaded" if fetched.status == "available" else "unavailable",
                fetched.obtained_from,
                fetched.reason or None,
            )
        )
        pinned = record.url if record else None
        outcome = Outcome(
            source.asset_name,
            f"raw.{source.tables[0].name}" if fetched.status == "available" else None,
            {
                "dagster/row_count": fetched.rows,
                "status": fetched.status,
                "reason": fetched.reason,
                "sha256": record.sha256 if record else None,
                "pinned url": pinned,
                "url used": fetched.url,
                "tables": ", ".join(f"raw.{spec.name}" for spec in source.tables),
            },
            {CHECK_PIN: fetched.refusals, CHECK_ROWS: fetched.content},
        )
        outcome.warnings[CHECK_AVAILABLE] = "" if fetched.status == "available" else fetched.reason
        outcome.warnings[CHECK_CACHE] = "; ".join(fetched.repairs)
        outcomes.append(outcome)
    provenance.record_source_files(con, files)
    return outcomes


def unavailable_downloads(outcomes: list[Outcome], blocked: list[str]) -> list[str]:
    """One line, "<asset>: download unavailable: <reason>", per download of this refresh that
    could not be had and whose source the release guard's lines (`blocked`) name: the cause of
    the refusal, said before the guard's own lines."""
    source_ids = {source.asset_name: source.source_id for source in download_sources.DOWNLOADS}
    return [
        f"{o.asset_key}: download unavailable: {o.warnings[CHECK_AVAILABLE]}"
        for o in outcomes
        if o.warnings.get(CHECK_AVAILABLE)
        and any(f"'{source_ids.get(o.asset_key)}'" in line for line in blocked)
    ]


def _long_sources(
    con, settings: Settings, declared: list[str], log, values: bool, reused=()
) -> list[Outcome]:
    raw_dir = settings.raw_dir
    found = set(indicator_sources.source_ids(raw_dir)) if values else set()
    for extra in sorted(found - set(declared) - set(reused)):
        if log is not None:
            log(
                f"raw/indicators/{extra}.meta.yml is new: reload the definitions to add it as "
                "an asset; it is not loaded in this refresh"
            )
    outcomes, valid, files = [], [], []
    for source_id in declared:
        source = indicator_sources.read_source(con, raw_dir, source_id)
        source.origin_problems += source_identity.identity_problems(
            source.record, source_id, settings.models_dir
        )
        key = long_source_key(source_id)
        files.append(
            provenance.source_file_row(
                key,
                source.table.replace('"', ""),
                LONG_SOURCE,
                source.shown_data or source.record.shown,
                source.sha256,
                source.record,
            )
        )
        if source.ok:
            valid.append(source)
        outcomes.append(
            Outcome(
                key,
                source.table.replace('"', "") if source.ok else None,
                {"file": source.shown_data},
                {CHECK_ORIGIN: source.origin_problems, CHECK_ROWS: source.row_problems},
            )
        )
    provenance.record_source_files(con, files)
    if not values:
        return outcomes
    kept = [indicator_sources.reused_source(raw_dir, source_id) for source_id in reused]
    valid = sorted(valid + [s for s in kept if s.ok], key=lambda s: s.source_id)
    indicator_sources.publish_values(con, valid)
    (rows,) = run(con, f"SELECT count(*) FROM {indicator_sources.VALUES}")[0]  # noqa: S608
    outcomes.append(
        Outcome(
            long_source_key(GATHERED),
            None,
            {"dagster/row_count": rows, "sources": ", ".join(s.source_id for s in valid) or "none"},
        )
    )
    return outcomes
