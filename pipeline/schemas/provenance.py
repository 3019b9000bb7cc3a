"""Specs of the provenance tables every source writes into: `raw.source_files` (one row per file
read: transcription, long-format source or download, with its checksum and origin record) and
the status of each pinned download in this refresh.

Belongs here: those two specs. Stays out: how rows are gathered (transforms/sources/provenance.py).
"""

from __future__ import annotations

from pipeline.schemas import rules as r
from pipeline.schemas.origin import KINDS
from pipeline.schemas.spec import STRING, Field, TableSpec

STATUSES = ("loaded", "unavailable")
OBTAINED_FROM = ("repository", "cache", "download")

SOURCE_FILES = TableSpec(
    name="source_files",
    description="Every file this warehouse was built from, with its checksum and origin record: "
    "the transcriptions in raw/, the long-format sources in raw/indicators/ and the pinned "
    "downloads (WJP, V-Dem). The provenance of each export is a subset of these rows.",
    fields=(
        Field("asset_key", STRING, "The asset that read the file."),
        Field("relation", STRING, "The warehouse table the file was loaded into."),
        Field("kind", STRING, "transcription, long_source or download.", rules=(r.one_of(KINDS),)),
        Field("path", STRING, "Path of the data file in the repository; a download's URL."),
        Field(
            "sha256",
            STRING,
            "Checksum of the data that was loaded (the pin, for a download).",
            True,
        ),
        Field("record_path", STRING, "Path of its origin record (.meta.yml)."),
        Field("record_sha256", STRING, "Checksum of the origin record."),
        Field("title", STRING, "Origin record: title."),
        Field("producer", STRING, "Origin record: producer or authors."),
        Field("citation", STRING, "Origin record: full citation."),
        Field("locator", STRING, "Origin record: page, table, figure or section."),
        Field("url", STRING, "Origin record: URL.", True),
        Field("date_accessed", STRING, "Origin record: date accessed.", True),
        Field("license", STRING, "Origin record: licence or terms."),
        Field(
            "status",
            STRING,
            "loaded, or unavailable (a download this refresh could not have).",
            rules=(r.one_of(STATUSES),),
        ),
        Field(
            "obtained_from",
            STRING,
            "repository (committed file), cache or download; empty when unavailable.",
            True,
            (r.one_of(OBTAINED_FROM),),
        ),
        Field(
            "status_reason", STRING, "Why a download is unavailable, or where it came from.", True
        ),
    ),
    primary_key=("asset_key", "path"),
)
