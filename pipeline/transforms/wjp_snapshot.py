"""Fetch the pinned WJP snapshot: cache first, then download, always verified by sha256.

Belongs here: the pin (read from raw/wjp/roli.source.yml), the cache, the download and its
failure modes. A bad download never enters the cache, so the last good copy survives. Every
failure raises `SnapshotUnavailable` with a message a user can act on. No Dagster here.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline import paths

ORIGIN_RECORD_NAME = "wjp/roli.source.yml"
URL_OVERRIDE_ENV = "WJP_SNAPSHOT_URL"
# The file is under 1 MB; a response several times larger is not the pinned file.
MAX_DOWNLOAD_BYTES = 20_000_000
DOWNLOAD_TIMEOUT_SECONDS = 30


class SnapshotUnavailable(Exception):
    """The pinned snapshot could not be had; the message says why and what to do."""


@dataclass(frozen=True)
class SnapshotPin:
    url: str
    sha256: str
    size: int | None = None

    @property
    def cache_name(self) -> str:
        return f"roli-{self.sha256}.json"


@dataclass(frozen=True)
class Snapshot:
    data: bytes
    pin: SnapshotPin
    origin: str  # "cache" or "download"
    path: Path
    accepted: object = None  # what `accept` returned (e.g. the parsed tables)


PIN_FIELDS = ("url", "sha256", "citation")


def read_pin_record(record: Path | None = None) -> dict:
    """The snapshot's origin record; a broken one is refused naming the file, field and rule."""
    record = record or paths.raw_dir() / ORIGIN_RECORD_NAME
    shown = f"raw/{ORIGIN_RECORD_NAME}"
    try:
        origin = yaml.safe_load(record.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as err:
        raise ValueError(f"{shown}: rule 'a readable UTF-8 YAML file' failed ({err})") from err
    if not isinstance(origin, dict):
        raise ValueError(f"{shown}: rule 'a YAML mapping' failed")
    for field in PIN_FIELDS:
        if not origin.get(field):
            raise ValueError(f"{shown}, field '{field}': rule 'present and not empty' failed")
    if not re.fullmatch(r"[0-9a-f]{64}", str(origin["sha256"])):
        raise ValueError(f"{shown}, field 'sha256': rule '64 lowercase hex digits' failed")
    return origin


def pin_from_origin_record(record: Path | None = None) -> SnapshotPin:
    """The pinned URL and checksum; WJP_SNAPSHOT_URL replaces the URL, never the checksum."""
    origin = read_pin_record(record)
    url = os.environ.get(URL_OVERRIDE_ENV) or origin["url"]
    return SnapshotPin(url=url, sha256=origin["sha256"], size=origin.get("bytes"))


def canonical_source(record: Path | None = None) -> dict:
    """Title, canonical URL and checksum of the pinned snapshot, as the origin record gives them
    (a mirror set by WJP_SNAPSHOT_URL is not a different source)."""
    origin = read_pin_record(record)
    return {"title": origin["citation"], "url": origin["url"], "sha256": origin["sha256"],
            "origin_record": f"raw/{ORIGIN_RECORD_NAME}"}  # fmt: skip


def fetch_snapshot(
    pin: SnapshotPin,
    cache_dir: Path,
    timeout: float = DOWNLOAD_TIMEOUT_SECONDS,
    accept: Callable[[bytes], object] | None = None,
):
    """The verified snapshot from the cache, or downloaded, verified and then cached.
    `accept` (e.g. the parser) must not raise before a download may enter the cache; a cached
    copy it rejects is removed (only a bad pin can put one there)."""
    cached = cache_dir / pin.cache_name
    if cached.is_file():
        data = cached.read_bytes()
        if _sha256(data) == pin.sha256:
            try:
                accepted = accept(data) if accept is not None else None
            except SnapshotUnavailable:
                cached.unlink()
                raise
            return Snapshot(data, pin, "cache", cached, accepted)
    data = download(pin.url, timeout)
    verify(data, pin)
    accepted = accept(data) if accept is not None else None
    cache_dir.mkdir(parents=True, exist_ok=True)
    temporary = cached.with_name(f".{cached.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    temporary.replace(cached)
    return Snapshot(data, pin, "download", cached, accepted)


def download(url: str, timeout: float) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (pinned URL)
            data = response.read(MAX_DOWNLOAD_BYTES + 1)
            declared = response.headers.get("Content-Length")
    except urllib.error.HTTPError as err:
        raise SnapshotUnavailable(
            f"download of {url} failed: HTTP {err.code} {err.reason}"
        ) from err
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise SnapshotUnavailable(
            f"download of {url} failed: {reason} (offline, server down or wrong URL; set "
            f"{URL_OVERRIDE_ENV} to a mirror)"
        ) from err
    if len(data) > MAX_DOWNLOAD_BYTES:
        raise SnapshotUnavailable(f"{url} sent more than {MAX_DOWNLOAD_BYTES:,} bytes")
    if declared is not None and declared.isdigit() and int(declared) != len(data):
        raise SnapshotUnavailable(
            f"download of {url} was truncated: {len(data):,} of {int(declared):,} bytes"
        )
    return data


def verify(data: bytes, pin: SnapshotPin) -> None:
    if pin.size is not None and len(data) != pin.size:
        raise SnapshotUnavailable(
            f"{pin.url} gave {len(data):,} bytes, the pinned file has {pin.size:,} "
            "(truncated, or not the pinned file)"
        )
    actual = _sha256(data)
    if actual != pin.sha256:
        raise SnapshotUnavailable(
            f"checksum mismatch for {pin.url}: sha256 {actual}, pinned {pin.sha256}; the file "
            "was not used (to move to a newer snapshot, update raw/wjp/roli.source.yml)"
        )


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
