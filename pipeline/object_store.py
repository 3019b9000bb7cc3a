"""S3-compatible object storage, as the release store and the download cache use it: get, put
(optionally conditional), list, download, delete; with the endpoint and credentials of the
standard AWS variables (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
AWS_REGION, read by pipeline/settings when the client is made).

Every failure is a StoreError in one line naming the operation, the object and what to check;
a conditional write that loses (HTTP 412) is `Conflict`, which the caller turns into "another
release was published".

Belongs here: the client and its errors, and the shared download cache. Stays out: what a
release is (store/s3.py).
"""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.locations import S3Location, StoreError
from pipeline.settings import aws_access

CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 60
ATTEMPTS = 3  # botocore's standard retry mode: a 5xx or a dropped connection is tried again


class Conflict(StoreError):
    """A conditional write lost: the object changed since it was read."""


class Objects:
    """The objects of one bucket, under one prefix."""

    def __init__(self, location: S3Location):
        import boto3
        from botocore.config import Config

        self.location = location
        access = aws_access()
        self.endpoint, region = access.endpoint, access.region
        config = Config(
            connect_timeout=CONNECT_TIMEOUT_SECONDS,
            read_timeout=READ_TIMEOUT_SECONDS,
            retries={"max_attempts": ATTEMPTS, "mode": "standard"},
            s3={"addressing_style": "path" if self.endpoint else "auto"},
        )
        self.client = boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=region or "us-east-1", config=config
        )

    def get(self, key: str) -> tuple[bytes, str] | None:
        """(content, ETag) of an object, or None when there is none."""
        try:
            answer = self.client.get_object(Bucket=self.location.bucket, Key=key)
            return answer["Body"].read(), answer["ETag"]
        except Exception as err:
            if _status(err) == 404:
                return None
            raise self._failed("read", key, err) from err

    def put(self, key: str, body, if_match: str | None = None, if_absent=False) -> str:
        """Write an object; its ETag. With `if_match` (an ETag) only if the object is still that
        one, with `if_absent` only if there is none: else Conflict."""
        extra = {"IfMatch": if_match} if if_match else {"IfNoneMatch": "*"} if if_absent else {}
        try:
            answer = self.client.put_object(
                Bucket=self.location.bucket, Key=key, Body=body, **extra
            )
            return answer["ETag"]
        except Exception as err:
            if _status(err) in (409, 412):
                raise Conflict(f"{self.location.bucket}/{key} changed meanwhile") from err
            raise self._failed("write", key, err) from err

    def put_file(self, key: str, path: Path) -> str:
        with open(path, "rb") as handle:
            return self.put(key, handle)

    def listing(self, prefix: str) -> dict[str, tuple[str, int, float]]:
        """{key relative to `prefix`: (ETag, size, modified time)} of every object under it."""
        found = {}
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.location.bucket, Prefix=prefix.rstrip("/") + "/"
            )
            for page in pages:
                for item in page.get("Contents", []):
                    relative = item["Key"][len(prefix.rstrip("/")) + 1 :]
                    modified = item["LastModified"].timestamp()
                    found[relative] = (item["ETag"], int(item["Size"]), modified)
        except Exception as err:
            raise self._failed("list", prefix + "/", err) from err
        return found

    def download(self, key: str, path: Path) -> None:
        """The object's bytes into `path`, replaced atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.part")
        try:
            self.client.download_file(self.location.bucket, key, str(partial))
            os.replace(partial, path)
        except Exception as err:
            partial.unlink(missing_ok=True)
            raise self._failed("read", key, err) from err

    def delete(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):  # S3 deletes at most 1,000 keys per request
            chunk = [{"Key": key} for key in keys[start : start + 1000]]
            try:
                self.client.delete_objects(
                    Bucket=self.location.bucket, Delete={"Objects": chunk, "Quiet": True}
                )
            except Exception as err:
                raise self._failed("delete", chunk[0]["Key"], err) from err

    def delete_prefix(self, prefix: str) -> None:
        keys = [f"{prefix.rstrip('/')}/{relative}" for relative in self.listing(prefix)]
        if keys:
            self.delete(keys)

    def _failed(self, what: str, key: str, err: Exception) -> StoreError:
        where = self.endpoint or "AWS"
        reason = _reason(err)
        return StoreError(
            f"the object store ({where}) failed to {what} s3://{self.location.bucket}/{key}: "
            f"{reason} (check PIPELINE_PUBLISH_URL, AWS_ENDPOINT_URL and the AWS credentials)"
        )


class SharedDownloadCache:
    """The pinned downloads, kept in the object store under `cache/` by the name the local cache
    gives them (their sha256), so that a machine with an empty disk finds them there. Whatever
    comes from it is verified against the pin by the caller, like a download. Bookkeeping: a
    store that fails is a miss on read and ignored on write."""

    def __init__(self, objects: Objects, prefix: str):
        self.objects, self.prefix = objects, prefix

    def get(self, name: str) -> bytes | None:
        try:
            found = self.objects.get(f"{self.prefix}/{name}")
        except StoreError:
            return None
        return found[0] if found else None

    def put(self, name: str, data: bytes) -> bool:
        try:
            self.objects.put(f"{self.prefix}/{name}", data)
        except StoreError:
            return False
        return True


def _status(err: Exception) -> int | None:
    response = getattr(err, "response", None) or {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if status is None and response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
        return 404
    return status


def _reason(err: Exception) -> str:
    response = getattr(err, "response", None)
    if response and "Error" in response:
        error = response["Error"]
        status = response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
        return f"HTTP {status} {error.get('Code', '')} {error.get('Message', '')}".strip()
    return str(err) or err.__class__.__name__
