"""Where releases are published, as a setting says it: `PIPELINE_PUBLISH_URL=s3://bucket/prefix`
(S3-compatible object storage) or unset (the warehouse folder), the S3 endpoint
(`AWS_ENDPOINT_URL`) and the DuckLake catalog (`PIPELINE_LAKE_CATALOG`); and the one error every
store raises when it cannot be read or written.

Belongs here: parsing and checking those values, with no I/O and no import of a client, so that
pipeline/settings/ can check them before anything starts. Stays out: talking to the store
(object_store.py, store/), the lake (lake.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# S3's rule for bucket names (3 to 63 lowercase letters, digits, dots and hyphens).
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# The catalogs DuckLake can keep its metadata in; PostgreSQL is the one shared by many machines.
LAKE_CATALOGS = ("postgres", "mysql", "sqlite", "duckdb")
PUBLISH_URL, LAKE_CATALOG, ENDPOINT = (
    "PIPELINE_PUBLISH_URL",
    "PIPELINE_LAKE_CATALOG",
    "AWS_ENDPOINT_URL",
)


@dataclass(frozen=True)
class AwsAccess:
    """The standard AWS variables that both boto3 (object_store.py) and DuckDB's httpfs
    (lake.py) need, as pipeline/settings reads them (`aws_access`)."""

    endpoint: str | None
    region: str | None
    key_id: str | None
    secret: str | None


class StoreError(RuntimeError):
    """The release store could not be read or written; the message says which and why."""


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str  # without leading or trailing slash; '' for the bucket's root

    def key(self, *parts: str) -> str:
        """The object key of `parts` under the prefix."""
        return "/".join(p.strip("/") for p in (self.prefix, *parts) if p.strip("/"))

    def url(self, *parts: str) -> str:
        return f"s3://{self.bucket}/{self.key(*parts)}".rstrip("/")


def parse_publish_url(value: str) -> S3Location:
    """`s3://bucket/prefix` as a location; ValueError with why it is not one."""
    parts = urlsplit(value.strip())
    if parts.scheme != "s3":
        raise ValueError("not an s3:// URL")
    if not _BUCKET.fullmatch(parts.netloc or ""):
        raise ValueError(f"{parts.netloc!r} is not a bucket name")
    if parts.query or parts.fragment:
        raise ValueError("a query or fragment has no meaning here")
    return S3Location(parts.netloc, parts.path.strip("/"))


def publish_url_problem(value: str) -> str | None:
    try:
        parse_publish_url(value)
    except ValueError as err:
        return str(err)
    return None


def endpoint_problem(value: str) -> str | None:
    """Why AWS_ENDPOINT_URL is not the URL of a server, or None."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http:// or https:// URL"
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return "its port is not a number"
    return None


def lake_catalog_problem(value: str, publish_url: str | None) -> str | None:
    """Why a DuckLake catalog string cannot be used, or None."""
    kind, colon, rest = value.strip().partition(":")
    if not colon or kind not in LAKE_CATALOGS or not rest.strip():
        return f"not a DuckLake catalog ({', '.join(k + ':...' for k in LAKE_CATALOGS)})"
    if not publish_url:
        return "the lake keeps its data files under PIPELINE_PUBLISH_URL, which is unset"
    return None


def remote_problems(publish: str, lake: str, endpoint: str) -> list[tuple[str, str, str]]:
    """(setting, value, why) of each bad value among the publish URL, the lake catalog and the
    S3 endpoint (when publishing to S3), as pipeline/settings read them."""
    found = [
        (PUBLISH_URL, publish, publish and publish_url_problem(publish)),
        (ENDPOINT, endpoint, publish and endpoint and endpoint_problem(endpoint)),
        (LAKE_CATALOG, lake, lake and lake_catalog_problem(lake, publish)),
    ]
    return [(name, value, why) for name, value, why in found if why]
