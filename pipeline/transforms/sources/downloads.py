"""Pinned downloads (WJP's roli.json, V-Dem's ert.csv): the cache first, then the network,
always verified against the pin (size and sha256) in the source's origin record.

What happens when the file cannot be had:
- a cached copy matching the pin is used, and the run says it came from the cache;
- a bad download never enters the cache, so the last good copy survives;
- if the pin itself changed since the current release and nothing matches it, the source is
  refused, naming the record and the field: an edit must not empty the warehouse;
- otherwise the source is unavailable this refresh (`SourceUnavailable`), the run goes on, and
  the release guard decides whether publishing without it is allowed.

A download is read in chunks: each connect and read waits at most the read timeout
(PIPELINE_DOWNLOAD_TIMEOUT_SECONDS), the whole file at most the deadline
(PIPELINE_DOWNLOAD_DEADLINE_SECONDS, checked between chunks and bounding every read), and a
`progress` callback hears how far it got every few seconds; a slow server fails with one line.

Belongs here: fetching, verifying and caching. No Dagster (progress goes to a callback); the pin
comes validated (schemas/origin.py) before any network or cache access.
"""

from __future__ import annotations

import http.client
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pipeline.settings import DEFAULT_DOWNLOAD_DEADLINE_SECONDS as DOWNLOAD_DEADLINE_SECONDS
from pipeline.settings import DEFAULT_DOWNLOAD_TIMEOUT_SECONDS as DOWNLOAD_TIMEOUT_SECONDS
from pipeline.settings import DOWNLOAD_DEADLINE, DOWNLOAD_TIMEOUT
from pipeline.transforms.files import sha256_bytes, sha256_file, write_atomically

CHUNK_BYTES = 64 * 1024  # one read; the deadline is checked between reads
PROGRESS_EVERY_SECONDS = 2.0  # a long download reports its progress this often


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


# Called every PROGRESS_EVERY_SECONDS of a download with (bytes received, bytes expected).
Progress = Callable[[int, int], None]


def obtain(
    pin: Pin,
    cache_dir: Path,
    accept: Callable[[Path], object],
    timeout: float = DOWNLOAD_TIMEOUT_SECONDS,
    deadline: float = DOWNLOAD_DEADLINE_SECONDS,
    progress: Progress | None = None,
    shared: SharedCache | None = None,
) -> Obtained:
    """The verified file from the cache, or downloaded, verified, accepted, then cached.
    `accept` (the parser) runs before a download may enter the cache; a cached copy it rejects
    is removed (only a bad pin or a bad parser version can have put it there). `timeout` bounds
    each connect and read, `deadline` the whole download (seconds). `shared`, a cache other
    machines fill too (the release store's), is tried after the local one and before the
    network, verified like a download, and given what was downloaded."""
    cached = cache_dir / pin.cache_name
    if cached.is_file() and cached.stat().st_size == pin.size:
        if sha256_file(cached) == pin.sha256:
            try:
                return Obtained(cached, "cache", accept(cached))
            except SourceUnavailable:
                cached.unlink()
                raise
    name = f"{cache_dir.name}/{pin.cache_name}"  # its name in the shared cache too
    data = _from_shared(pin, shared, name)
    from_shared = data is not None
    if data is None:
        data = download(pin, timeout, deadline, progress)
    cache_dir.mkdir(parents=True, exist_ok=True)
    temporary = cached.with_name(f".{cached.name}.{os.getpid()}.part")
    temporary.write_bytes(data)
    try:
        accepted = accept(temporary)
        write_atomically(cached, data)
    finally:
        temporary.unlink(missing_ok=True)
    if from_shared:
        return Obtained(cached, "cache", accepted)
    if shared is not None:
        shared.put(name, data)
    return Obtained(cached, "download", accepted)


class SharedCache(Protocol):
    """A cache of downloads by name that other machines read and fill too (best effort)."""

    def get(self, name: str) -> bytes | None: ...

    def put(self, name: str, data: bytes) -> bool: ...


def _from_shared(pin: Pin, shared: SharedCache | None, name: str) -> bytes | None:
    """The pinned file from the shared cache when it holds it whole and unaltered, else None."""
    data = shared.get(name) if shared is not None else None
    if data is None or len(data) != pin.size or sha256_bytes(data) != pin.sha256:
        return None
    return data


def download(
    pin: Pin,
    timeout: float = DOWNLOAD_TIMEOUT_SECONDS,
    deadline: float = DOWNLOAD_DEADLINE_SECONDS,
    progress: Progress | None = None,
) -> bytes:
    """The pinned file's bytes, verified (size and sha256), read in chunks: each connect and
    read waits at most `timeout` seconds, the whole download at most `deadline`; `progress`
    hears how far it got every few seconds. SourceUnavailable, one line, otherwise."""
    url, started = pin.url, time.monotonic()
    received = bytearray()
    try:
        opened = urllib.request.urlopen(url, timeout=min(timeout, deadline))  # noqa: S310 (pinned)
        with opened as response:
            _refuse_declared(pin, response.headers)
            reported = started
            while len(received) <= pin.size:  # never more than the pinned file could be
                left = started + deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                _bound_next_read(response, min(timeout, left))
                chunk = response.read1(CHUNK_BYTES)
                if not chunk:
                    break
                received += chunk
                if progress is not None and time.monotonic() - reported >= PROGRESS_EVERY_SECONDS:
                    progress(len(received), pin.size)
                    reported = time.monotonic()
            kind = _kind(pin, response.headers)
            declared = response.headers.get("Content-Length")
    except urllib.error.HTTPError as err:
        raise SourceUnavailable(f"download of {url} failed: HTTP {err.code} {err.reason}") from err
    except (TimeoutError, urllib.error.URLError) as err:
        if isinstance(err, TimeoutError) or isinstance(err.reason, TimeoutError):
            raise _too_slow(pin, timeout, deadline, started, len(received)) from err
        raise _failed(pin, err) from err
    except (http.client.HTTPException, OSError, ValueError) as err:
        raise _failed(pin, err) from err
    if declared is not None and declared.isdigit() and int(declared) != len(received):
        raise SourceUnavailable(
            f"download of {url} was truncated: {len(received):,} of {int(declared):,} bytes"
        )
    verify(bytes(received), pin, kind)
    return bytes(received)


def _refuse_declared(pin: Pin, headers) -> None:
    """A length the server declares that is not the pinned file's: refused before any read."""
    declared = headers.get("Content-Length")
    if declared is not None and declared.isdigit() and int(declared) != pin.size:
        raise SourceUnavailable(
            f"{pin.url} gave {int(declared):,} bytes by its Content-Length{_kind(pin, headers)}, "
            f"the pinned file has {pin.size:,} (not the pinned file)"
        )


def _kind(pin: Pin, headers) -> str:
    """' (an HTML page)' when the server sent one instead of the pinned file (a login or error
    page, a mirror's index), else ''."""
    content_type = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
    return " (an HTML page)" if content_type == "text/html" and pin.suffix != ".html" else ""


def _bound_next_read(response, seconds: float) -> None:
    """Wait at most `seconds` for the next read of an HTTP(S) response (urllib sets the timeout
    once, at the connect): a read never outlasts the deadline. A file:// URL has no socket."""
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    if sock is not None:
        sock.settimeout(max(seconds, 0.001))


def _too_slow(pin: Pin, timeout, deadline, started: float, received: int) -> SourceUnavailable:
    got = f"{received:,} of {pin.size:,} bytes received"
    if time.monotonic() - started >= deadline - 0.01:
        return SourceUnavailable(
            f"download of {pin.url} took longer than the deadline of {deadline:g} s ({got}); "
            f"{DOWNLOAD_DEADLINE} sets it"
        )
    return SourceUnavailable(
        f"download of {pin.url} failed: no answer within the read timeout of {timeout:g} s "
        f"({got}); {DOWNLOAD_TIMEOUT} sets it, {pin.url_env} a mirror"
    )


def _failed(pin: Pin, err: Exception) -> SourceUnavailable:
    reason = getattr(err, "reason", None) or err
    return SourceUnavailable(
        f"download of {pin.url} failed: {reason} (offline, server down or wrong URL; "
        f"{pin.url_env} sets a mirror)"
    )


def verify(data: bytes, pin: Pin, kind: str = "") -> None:
    if len(data) != pin.size:
        more = " or more" if len(data) > pin.size else ""
        raise SourceUnavailable(
            f"{pin.url} gave {len(data):,} bytes{more}{kind}, the pinned file has {pin.size:,} "
            "(truncated, or not the pinned file)"
        )
    actual = sha256_bytes(data)
    if actual != pin.sha256:
        raise SourceUnavailable(
            f"checksum mismatch for {pin.url}{kind}: sha256 {actual}, pinned {pin.sha256}; the "
            "file was not used"
        )
