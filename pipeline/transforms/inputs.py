"""What a refresh reads, summarised as {name: checksum}: recorded in each release's manifest
and compared by the sensor, so that a refresh runs when (and only when) an input changed.

Inputs: every raw CSV and origin record (sha256 of the files), every long-format source (its
origin record's sha256, and the data file's checksum as that record states it: a data file
changed without updating its record is refused by the refresh anyway), and the WJP pin.
Hashing a large data file on every sensor tick would be wasteful; its record says it.

Belongs here: computing that summary from raw/, and from what a build loaded. No Dagster.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.schemas.raw import RAW_TABLES
from pipeline.transforms import indicator_sources
from pipeline.transforms.raw_io import sha256_of, tracked_checksums
from pipeline.transforms.wjp_snapshot import ORIGIN_RECORD_NAME, read_pin_record

WJP_PIN_KEY = f"raw/{ORIGIN_RECORD_NAME}#sha256"


def current_inputs(raw_dir: Path) -> dict[str, str]:
    inputs = tracked_checksums(RAW_TABLES, raw_dir)
    for source in indicator_sources.discover(raw_dir):
        inputs[source.shown_origin] = sha256_of(source.origin_path.read_bytes())
        inputs[source.shown_data] = str(source.origin.get("sha256") or "")
    try:
        inputs[WJP_PIN_KEY] = read_pin_record(raw_dir / ORIGIN_RECORD_NAME)["sha256"]
    except ValueError as err:  # the refresh this triggers refuses the record, saying why
        inputs[WJP_PIN_KEY] = f"unreadable: {err}"
    return dict(sorted(inputs.items()))


def loaded_inputs(con) -> dict[str, str]:
    """The same summary, from what this build actually loaded (its raw tables)."""
    inputs = {}
    for path, sha256, origin_sha256 in con.execute(
        "SELECT path, sha256, origin_sha256 FROM raw.source_files"
    ).fetchall():
        inputs[path] = sha256
        inputs[path.removesuffix(".csv") + ".meta.yml"] = origin_sha256
    for path, sha256, origin_path, origin_sha256 in con.execute(
        "SELECT path, sha256, origin_path, origin_sha256 FROM raw.indicator_source_files"
    ).fetchall():
        inputs[path] = sha256
        inputs[origin_path] = origin_sha256
    (pin,) = con.execute("SELECT sha256 FROM raw.wjp_snapshot").fetchall()[0]
    inputs[WJP_PIN_KEY] = pin
    return dict(sorted(inputs.items()))
