"""The origin record: one model for every source the pipeline reads, whether a committed
transcription (`raw/paper/table1_ranks.meta.yml`), a long-format indicator source dropped into
`raw/indicators/`, or a pinned download (`raw/wjp/roli.meta.yml`). OWID's origin, as a pydantic
model: one schema validates every record, and a broken record is refused naming its file, line,
field and rule.

Belongs here: the record's fields, their types and which fields each kind of source needs.
Stays out: reading files (transforms/sources/origins.py) and what the data must look like (specs).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from pipeline.schemas.fields import CODE_STATUSES, HTTP_URL

TRANSCRIPTION, LONG_SOURCE, DOWNLOAD = "transcription", "long_source", "download"
KINDS = (TRANSCRIPTION, LONG_SOURCE, DOWNLOAD)

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]
IndicatorCode = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.]{0,62}$")]
Url = Annotated[str, StringConstraints(pattern=rf"^{HTTP_URL}$")]  # http(s) only
# A pinned download: a GitHub repository (owner/name), a commit, a path inside it; its URL
# is the one they give (a mirror is set with the source's *_SNAPSHOT_URL, not in the record).
Repository = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")]
RepoPath = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_-][A-Za-z0-9_.-]*(/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$"),
]
PINNED_URL = "https://raw.githubusercontent.com/{repository}/{commit}/{path}"
FileName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]+\.(csv|parquet)$")]
EntityCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text
    description: str | None = None


class CountryCode(BaseModel):
    """A code of the source that is not an ISO 3166-1 alpha-3 code, and what it stands for."""

    model_config = ConfigDict(extra="forbid")
    name: Text
    status: Literal[CODE_STATUSES]  # type: ignore[valid-type]
    maps_to: EntityCode | None = None  # an ISO code the entity is part of or succeeded by
    note: str | None = None


class OriginRecord(BaseModel):
    """Where a data file comes from and what it holds. `kind` is set by where the record sits
    (the pipeline knows it), never by the record itself."""

    # YAML reads 0123 or 1e5 as numbers; they are refused by the text patterns, not by type.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)

    title: Text
    producer: Text
    citation: Text
    locator: Text
    url: Url | None = None
    url_note: Text | None = None
    date_accessed: dt.date | None = None
    date_accessed_note: Text | None = None
    license: Text
    transcription: Text
    notes: str | None = None
    sha256: Sha256
    bytes: int | None = Field(default=None, ge=0)
    # long-format indicator sources (raw/indicators/)
    source_id: Slug | None = None
    file: FileName | None = None
    indicators: dict[IndicatorCode, Indicator] | None = None
    value_min: float | None = None
    value_max: float | None = None
    country_codes: dict[EntityCode, CountryCode] | None = None
    # pinned downloads
    repository: Repository | None = None
    commit: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{40}$")] | None = None
    path: RepoPath | None = None

    @model_validator(mode="after")
    def _explained_gaps(self):
        if self.url is None and self.url_note is None:
            raise ValueError("url is given, or url_note says why not")
        if self.date_accessed is None and self.date_accessed_note is None:
            raise ValueError("date_accessed is given, or date_accessed_note says why not")
        if self.value_min is not None and self.value_max is not None:
            if self.value_min > self.value_max:
                raise ValueError("value_min <= value_max")
        return self


# Fields each kind of source must have, beyond the common ones.
REQUIRED_BY_KIND = {
    TRANSCRIPTION: (),
    LONG_SOURCE: ("source_id", "file", "indicators"),
    DOWNLOAD: ("url", "bytes", "repository", "commit", "path"),
}


# What a table's spec holds (pipeline/schemas/, sql/<layer>/<name>.yml), never its record: a
# record that redeclares one of these is refused, naming the file, the line and the field.
SPEC_FIELDS = ("columns", "description", "primary_key", "row_rules", "rules")


def missing_for_kind(record: OriginRecord, kind: str) -> list[str]:
    return [name for name in REQUIRED_BY_KIND[kind] if getattr(record, name) in (None, {}, "")]


def pinned_url(record: OriginRecord) -> str | None:
    """The URL a pin's repository, commit and path give (None when one is missing)."""
    if record.repository and record.commit and record.path:
        return PINNED_URL.format(
            repository=record.repository, commit=record.commit, path=record.path
        )
    return None


def line_of_field(text: str, field: str) -> int | None:
    """The line where a top-level field starts in the record's YAML (1-based), if present."""
    match = re.search(rf"^{re.escape(field)}\s*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None
