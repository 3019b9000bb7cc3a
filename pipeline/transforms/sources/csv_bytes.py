"""Step 2 of the one reader (reader.py): a CSV's bytes, in one streamed pass that also computes
the sha256: UTF-8 without a byte-order mark, LF line ends, a final newline, at least one line.
The first fault found is named with its line, and the file is read no further.

Belongs here: checking bytes. Stays out: the header's names (header.py), cells (cell_types.py).
"""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

from pipeline.transforms import files
from pipeline.transforms.sources.read_result import Read


def scan_text(path: Path, read: Read) -> bytes:
    """One pass over the bytes: sha256, BOM, UTF-8, CR, final newline. Returns the header line."""
    digest, decoder = hashlib.sha256(), codecs.getincrementaldecoder("utf-8")("strict")
    header, line, last, first = b"", 1, b"", True  # line: the line the next chunk starts on
    with open(path, "rb") as handle:
        while chunk := handle.read(files.CHUNK_BYTES):
            digest.update(chunk)
            if first and chunk.startswith(codecs.BOM_UTF8):
                read.problem("UTF-8 without a byte-order mark (BOM)", line=1)
                return b""
            if first:
                header, first = chunk.split(b"\n", 1)[0], False
            if not _chunk_is_clean(chunk, decoder, line, read):
                return b""
            line += chunk.count(b"\n")
            last = chunk[-1:]
    read.sha256, read.newlines = digest.hexdigest(), line - 1
    if first:
        read.problem("file is not empty")
    elif last != b"\n":
        read.problem("file ends with a newline (is the last line truncated?)", line=line)
    return header


def _chunk_is_clean(chunk: bytes, decoder, line: int, read: Read) -> bool:
    try:
        decoder.decode(chunk)
    except UnicodeDecodeError as err:
        at = line + chunk.count(b"\n", 0, err.start)
        read.problem(
            "valid UTF-8", f"byte 0x{chunk[err.start]:02x}", line=at, fix="save the file as UTF-8"
        )
        return False
    carriage = chunk.find(b"\r")
    if carriage >= 0:
        read.problem(
            "LF line endings (no CR/CRLF)",
            line=line + chunk.count(b"\n", 0, carriage),
            fix="convert the line endings to LF (dos2unix)",
        )
        return False
    return True
