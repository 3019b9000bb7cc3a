"""Every file the pipeline or its CLI reads goes through here: checked from `stat` before a byte
is read (a regular file, inside its root, within its size limit), hashed in chunks, named the
way users see it.

Belongs here: the one checksum helper, the one display-path helper and the bounded-read checks.
Stays out: what the bytes mean (sources/reader.py, sources/origins.py).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

CHUNK_BYTES = 8 * 1024 * 1024
# The paper's tables are a few kilobytes; a transcription this large is a mistake (a pasted
# dump, a runaway export). Origin records are a few kilobytes too.
MAX_TRANSCRIPTION_BYTES = 5_000_000
MAX_RECORD_BYTES = 1_000_000
# A long-format indicator source may be large, but not without bound: 20 GB is several times
# the largest source benchmarked (docs/performance.md).
MAX_SOURCE_BYTES = 20_000_000_000


class FileRefused(Exception):
    """A file that must not be read; the message says why, in words a person can act on."""


def human_size(size: int) -> str:
    for unit, factor in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} bytes"


def shown(path: Path, root: Path, label: str = "raw") -> str:
    """How users see a path: relative to its root folder, e.g. raw/paper/table1_ranks.csv."""
    try:
        return f"{label}/{path.relative_to(root).as_posix()}"
    except ValueError:
        return str(path)


def check_readable(path: Path, root: Path, max_bytes: int) -> os.stat_result:
    """The file's stat if it may be read; FileRefused saying why not. Decided from `lstat` and
    `stat` alone: nothing is opened before the checks pass."""
    try:
        link = path.lstat()
    except FileNotFoundError:
        raise FileRefused("does not exist") from None
    except OSError as err:
        raise FileRefused(f"cannot be examined ({err.strerror})") from None
    target = path.resolve()
    try:
        info = path.stat()
    except OSError as err:
        raise FileRefused(f"is a broken symlink ({err.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        what = _kind(info.st_mode)
        via = f"a symlink to {what} ({target})" if stat.S_ISLNK(link.st_mode) else what
        raise FileRefused(f"is {via}, not a regular file")
    if not _inside(target, root.resolve()):
        what = "a symlink to" if stat.S_ISLNK(link.st_mode) else "reached through a link, at"
        raise FileRefused(f"is {what} {target}, which resolves outside {root.name}/")
    if info.st_size > max_bytes:
        raise FileRefused(f"is {human_size(info.st_size)}, the limit is {human_size(max_bytes)}")
    return info


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_bounded(path: Path, root: Path, max_bytes: int) -> bytes:
    """The whole file, after `check_readable`; never more than `max_bytes` (a file that grows
    while it is read is refused)."""
    check_readable(path, root, max_bytes)
    with open(path, "rb") as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileRefused(f"grew past the limit of {human_size(max_bytes)} while being read")
    return data


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Checksum of a file, read in chunks (sources may be gigabytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync it, then rename over `path`."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
