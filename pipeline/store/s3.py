"""Releases in S3-compatible object storage (`PIPELINE_PUBLISH_URL=s3://bucket/prefix`):

    <prefix>/releases/<release_id>/...   a release's files, its manifest.json written last
    <prefix>/current.json                {"release_id", "sequence", "history", "published_at"}
    <prefix>/cache/<folder>/<sha256>.*   the pinned downloads (object_store.SharedDownloadCache)
    <prefix>/lake/                       DuckLake's data files (pipeline/lake.py)

A publish uploads the release, then replaces `current.json` with a conditional write (If-Match
on the ETag it read, or If-None-Match for the first release): of two publishers that started
from the same release, one wins and the other is refused (release.ReleaseMoved), its uploads
deleted. Object writes are atomic, so `current.json` names the last whole release whatever
fails in the middle of an upload. `history` lists the releases kept, in publish order: what
it drops is deleted after the pointer moved. Uploads no pointer ever named (a publisher killed
mid-upload) are never read.

On this machine a release is read from its local copy in `<warehouse>/releases/<id>/`, fetched
file by file: an object is fetched again when its ETag differs from the one fetched before
(`<warehouse>/.store/<id>.json`) or the local file no longer has the manifest's sha256. The
release this machine publishes becomes its local copy, and the warehouse's links point at it.

Belongs here: that layout and those rules, as an implementation of `ReleaseStore` (base.py).
Stays out: the S3 client (object_store.py), what a release holds (release.py), verifying
(integrity.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

from pipeline import release
from pipeline.locations import StoreError, parse_publish_url
from pipeline.object_store import Conflict, Objects, SharedDownloadCache
from pipeline.store.base import ReleaseStore
from pipeline.transforms.files import sha256_file

POINTER = "current.json"
RECORDS = ".store"  # in the warehouse: the ETags of each local copy's files


class S3Store(ReleaseStore):
    def __init__(self, url: str, layout: release.WarehouseLayout):
        self.where = parse_publish_url(url)
        self.layout = layout
        self.objects = Objects(self.where)

    @property
    def location(self) -> str:
        return self.where.url()

    def pointer(self) -> tuple[dict, str | None]:
        """current.json and its ETag; ({}, None) before the first publish."""
        found = self.objects.get(self.where.key(POINTER))
        if found is None:
            return {}, None
        try:
            return json.loads(found[0]), found[1]
        except ValueError as err:
            raise StoreError(f"{self.where.url(POINTER)} is not JSON ({err})") from err

    def current_id(self) -> str | None:
        return self.pointer()[0].get("release_id")

    def release_ids(self) -> list[str]:
        return list(self.pointer()[0].get("history", []))

    def manifest(self, release_id: str | None) -> dict:
        if not release_id:
            return {}
        found = self.objects.get(self.where.key("releases", release_id, release.MANIFEST))
        return json.loads(found[0]) if found else {}

    def local_copy(self, release_id: str) -> Path:
        prefix = self.where.key("releases", release_id)
        listed = self.objects.listing(prefix)
        if release.MANIFEST not in listed:
            raise StoreError(f"release {release_id}: no {release.MANIFEST} in {self.location}")
        folder = self.layout.releases_dir / release_id
        record_path = self.layout.root / RECORDS / f"{release_id}.json"
        fetched = _read_json(record_path)
        self.objects.download(f"{prefix}/{release.MANIFEST}", folder / release.MANIFEST)
        digests = release.read_manifest(folder).get("files", {})
        for relative, (etag, size, _) in sorted(listed.items()):
            path = folder / relative
            same = fetched.get(relative) == etag and path.is_file() and path.stat().st_size == size
            if not (same and (relative not in digests or sha256_file(path) == digests[relative])):
                self.objects.download(f"{prefix}/{relative}", path)
            fetched[relative] = etag
        for path in sorted(folder.rglob("*"), reverse=True):  # files the store does not hold
            relative = path.relative_to(folder).as_posix()
            if path.is_file() and relative not in listed:
                path.unlink()
        _write_json(record_path, {k: v for k, v in fetched.items() if k in listed})
        return folder

    def publish(self, build, manifest, keep, release_id, expected=""):
        if keep < 1:
            raise ValueError(f"keep_releases must be at least 1, got {keep}")
        pointer, etag = self.pointer()
        current = pointer.get("release_id")
        if expected != "" and current != expected:
            raise _moved(current, expected)
        sealed = release.seal(build, manifest, release_id, int(pointer.get("sequence", 0)) + 1)
        prefix = self.where.key("releases", release_id)
        uploaded: dict[str, str] = {}
        history = [*pointer.get("history", []), release_id]
        kept, dropped = history[-keep:], history[:-keep]
        try:
            for relative in [*sorted(sealed["files"]), release.MANIFEST]:  # the manifest last
                uploaded[relative] = self.objects.put_file(
                    f"{prefix}/{relative}", build.directory / relative
                )
            moved = {
                "release_id": release_id,
                "sequence": sealed["sequence"],
                "history": kept,
                "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            }
            body = json.dumps(moved, indent=2).encode()
            self.objects.put(self.where.key(POINTER), body, if_match=etag, if_absent=etag is None)
        except Conflict:
            self._forget(prefix, uploaded)
            raise _moved(self.current_id(), expected if expected != "" else current) from None
        except StoreError:  # current.json still names the last whole release
            self._forget(prefix, uploaded)
            raise
        for old in dropped:  # after the pointer moved: nothing names them any more
            self._drop(old)
        folder = self.layout.releases_dir / release_id
        folder.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        os.rename(build.directory, folder)
        _write_json(self.layout.root / RECORDS / f"{release_id}.json", uploaded)
        release.point_current(self.layout, folder)  # this machine's links, for its readers
        return folder

    def point_current(self, release_id: str, expected: str | None) -> None:
        pointer, etag = self.pointer()
        if pointer.get("release_id") != expected:
            raise _moved(pointer.get("release_id"), expected)
        moved = {**pointer, "release_id": release_id}
        try:
            self.objects.put(self.where.key(POINTER), json.dumps(moved, indent=2).encode(), etag)
        except Conflict:
            raise _moved(self.current_id(), expected) from None
        release.point_current(self.layout, self.local_copy(release_id))

    def newest_publish(self) -> tuple[float, str] | None:
        pointer = self.pointer()[0]
        if not pointer.get("published_at"):
            return None
        stamp = dt.datetime.fromisoformat(pointer["published_at"]).timestamp()
        return stamp, f"release {pointer['release_id']} in {self.location}"

    def missing_current(self) -> str:
        return f"there is no release yet in {self.location}"

    def download_cache(self) -> SharedDownloadCache:
        return SharedDownloadCache(self.objects, self.where.key("cache"))

    def public_lines(self, release_id: str) -> list[str]:
        exports = self.where.url("releases", release_id, "exports")
        return [
            f"  published: {self.where.url('releases', release_id)}/ "
            f"(named by {self.where.url(POINTER)})",
            f"  exports:   {exports}/*.parquet",
        ]

    def _forget(self, prefix: str, uploaded: dict[str, str]) -> None:
        """Delete what a refused publish uploaded (best effort: nothing names it anyway)."""
        try:
            self.objects.delete([f"{prefix}/{relative}" for relative in uploaded])
        except StoreError:
            pass

    def _drop(self, release_id: str) -> None:
        """A release no longer kept: its objects and this machine's copy."""
        try:
            self.objects.delete_prefix(self.where.key("releases", release_id))
        except StoreError:
            pass  # nothing names it any more; a later publish cannot list it either
        shutil.rmtree(self.layout.releases_dir / release_id, ignore_errors=True)
        (self.layout.root / RECORDS / f"{release_id}.json").unlink(missing_ok=True)


def _moved(current: str | None, expected: str | None) -> release.ReleaseMoved:
    return release.ReleaseMoved(
        f"release {current} was published while this refresh was building from "
        f"{expected or 'no release'}; nothing was published. Refresh again."
    )


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)
