"""The sha256 of a release's files, computed once per refresh: a refresh verifies the release it
starts from (pipeline/integrity.py), checks the file of each part it reuses (pipeline/reuse.py)
and seals the new release (pipeline/release.py), and a large file linked from one release into
the next is the same file each time. `digest` remembers a file's sha256 while its inode, size,
modification and change times stay the same (any write changes them), for DIGEST_SECONDS.

Belongs here: that memo. Stays out: what is verified (integrity.py), what is sealed (release.py).
"""

from __future__ import annotations

import time
from pathlib import Path

from pipeline.transforms.files import sha256_file

DIGEST_SECONDS = 300
_DIGESTS: dict[tuple, tuple[float, str]] = {}


def digest(path: Path) -> str:
    """The file's sha256 (module docstring)."""
    stat = path.stat()
    key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    now = time.monotonic()
    known = _DIGESTS.get(key)
    if known is not None and now - known[0] < DIGEST_SECONDS:
        return known[1]
    found = sha256_file(path)
    _DIGESTS[key] = (now, found)
    return found
