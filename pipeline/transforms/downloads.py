"""Pinned downloads (WJP's roli.json, V-Dem's ert.csv): the cache first, then the network,
always verified against the pin (size and sha256) in the source's origin record.

What happens when the file cannot be had:
- a cached copy matching the pin is used, and the run says it came from the cache;
- a bad download never enters the cache, so the last good copy survives;
- if the pin itself changed since the current release and nothing matches it, the source is
  refused, naming the record and the field: an edit must not empty the warehouse;
- otherwise the source is unavailable this refresh (`SourceUnavailable`), the run goes on, and
  the release guard decides whether publishing without it is allowed.

Belongs here: fetching, verifying and caching. No Dagster; the pin comes validated
(schemas/origin.py) before any network or cache access.
"""

from __future__ import annotations

import http.client
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.transforms.files import sha256_bytes, sha256_file, write_atomically

DOWNLOAD_TIMEOUT_SECONDS = 30


class SourceUnavailable(Exception):
    """The pinned file could not be had; the message says why and what to do."""


@dataclass(frozen=True)
class Pin:
    url: str
    sha256: str
    size: int
    suffix: str  # of the cached file, e.g. ".json"
    url_env: str  # the variable that replaces the URL (a mirror, a local server)

    @property
    def cache_name(self) -> str:
        return f"{self.sha256}{self.suffix}"


@dataclass(frozen=True)
class Obtained:
    path: Path
    obtained_from: str  # "cache" or "download"
    accepted: object = None  # what `accept` returned (e.g. parsed tables)


def obtain(
    pin: Pin,
    cache_dir: Path,
    accept: Callable[[Path], object],
    timeout: float = DOWNLOAD_TIMEOUT_SECONDS,
) -> Obtained:
    """The verified file from the cache, or downloaded, verified, accepted, then cached.
    `accept` (the parser) runs before a download may enter the cache; a cached copy it rejects
    is removed (only a bad pin or a bad parser version can have put it there)."""
    cached = cache_dir / pin.cache_name
    if cached.is_file() and cached.stat().st_size == pin.size:
        if sha256_file(cached) == pin.sha256:
            try:
                return Obtained(cached, "cache", accept(cached))
            except SourceUnavailable:
                cached.unlink()
                raise
    data = download(pin, timeout)
    verify(data, pin)
    cache_dir.mkdir(parents=True, exist_ok=True)
    temporary = cached.with_name(f".{cached.name}.{os.getpid()}.part")
    temporary.write_bytes(data)
    try:
        accepted = accept(temporary)
        write_atomically(cached, data)
    finally:
        temporary.unlink(missing_ok=True)
    return Obtained(cached, "download", accepted)


def download(pin: Pin, timeout: float) -> bytes:
    url = pin.url
    limit = pin.size + 1  # never read more than the pinned file could be
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (pinned URL)
            data = response.read(limit)
            declared = response.headers.get("Content-Length")
    except urllib.error.HTTPError as err:
        raise SourceUnavailable(f"download of {url} failed: HTTP {err.code} {err.reason}") from err
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        raise SourceUnavailable(
            f"download of {url} failed: {reason} (offline, server down or wrong URL; "
            f"{pin.url_env} sets a mirror)"
        ) from err
    if len(data) > pin.size or (declared and declared.isdigit() and int(declared) > pin.size):
        size = int(declared) if declared and declared.isdigit() else len(data)
        raise SourceUnavailable(
            f"{url} gave {size:,} bytes or more, the pinned file has {pin.size:,} (not the "
            "pinned file)"
        )
    if declared is not None and declared.isdigit() and int(declared) != len(data):
        raise SourceUnavailable(
            f"download of {url} was truncated: {len(data):,} of {int(declared):,} bytes"
        )
    return data


def verify(data: bytes, pin: Pin) -> None:
    if len(data) != pin.size:
        raise SourceUnavailable(
            f"{pin.url} gave {len(data):,} bytes, the pinned file has {pin.size:,} "
            "(truncated, or not the pinned file)"
        )
    actual = sha256_bytes(data)
    if actual != pin.sha256:
        raise SourceUnavailable(
            f"checksum mismatch for {pin.url}: sha256 {actual}, pinned {pin.sha256}; the file "
            "was not used"
        )
