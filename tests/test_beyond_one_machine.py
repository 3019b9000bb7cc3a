"""Releases in object storage and a DuckLake warehouse on PostgreSQL, between two "machines":
two folders with their own raw/ copy, warehouse, download cache and DAGSTER_HOME, and no disk
in common; what they share is a real S3-compatible server (moto's) and a real PostgreSQL (the
Dagster instance and the lake's catalog), started by the tests (tests/services.py). Each
machine runs the real CLI in its own process.

- A publishes; B, with an empty disk, reads the release through DuckLake and through the
  Parquet objects: table by table (and byte by byte) what a local build holds;
- B, with an empty disk and offline, materializes one mart starting from A's release, and
  rebuilds everything with the downloads from the object store's cache;
- A and B publish at once from the same release: one wins, the other is refused saying so, and
  current.json, the release's files and the lake's newest snapshot agree;
- the store fails in the middle of an upload: current.json still names the last whole release,
  which verifies, and the lake has no new snapshot.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import duckdb
import pytest

from pipeline import lake
from pipeline.settings import REPO_ROOT
from tests.harness import UNREACHABLE_URL, copy_raw
from tests.services import CREDENTIALS, FailingProxy, postgres_server, s3_server

CLI_SECONDS = 300
MARTS = "marts"


@pytest.fixture(scope="module")
def services():
    """moto's S3 server and a PostgreSQL cluster, with the Dagster instance's database made."""
    with s3_server() as endpoint, postgres_server() as pg:
        pg.create_database("dagster")
        yield endpoint, pg


_names = iter(range(10**6))


@dataclass
class Shared:
    """A bucket and a lake catalog the machines of one test share."""

    endpoint: str
    bucket: str
    catalog: str
    dagster_url: str

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/project"

    def client(self):
        return boto3.client("s3", endpoint_url=self.endpoint, **_boto_credentials())

    def pointer(self) -> dict:
        body = self.client().get_object(Bucket=self.bucket, Key="project/current.json")["Body"]
        return json.loads(body.read())

    def keys(self, prefix: str) -> list[str]:
        pages = (
            self.client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.bucket, Prefix=prefix)
        )
        return [item["Key"] for page in pages for item in page.get("Contents", [])]


def _boto_credentials() -> dict:
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "region_name": CREDENTIALS["AWS_REGION"],
    }


def shared(services, lake_catalog: bool = True) -> Shared:
    endpoint, pg = services
    n = next(_names)
    bucket = f"releases-{os.getpid()}-{n}"
    boto3.client("s3", endpoint_url=endpoint, **_boto_credentials()).create_bucket(Bucket=bucket)
    catalog = f"postgres:{pg.create_database(f'lake_{os.getpid()}_{n}')}" if lake_catalog else ""
    return Shared(endpoint, bucket, catalog, pg.url("dagster"))


@dataclass
class Machine:
    """A clone of the project on a machine of its own: nothing on disk shared with another."""

    base: Path
    store: Shared
    urls: dict[str, str] = field(default_factory=dict)  # source_id -> URL of its download
    endpoint: str | None = None  # another way to the store (a failing proxy)

    def __post_init__(self):
        copy_raw(self.base)
        home = self.base / "dagster_home"
        home.mkdir()
        text = (REPO_ROOT / "dagster.yaml").read_text() + (
            REPO_ROOT / "dagster.postgres.yaml"
        ).read_text()
        (home / "dagster.yaml").write_text(text)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PIPELINE_", "AWS_"))}
        env |= CREDENTIALS | {
            "AWS_ENDPOINT_URL": self.endpoint or self.store.endpoint,
            "PIPELINE_PUBLISH_URL": self.store.url,
            "PIPELINE_LAKE_CATALOG": self.store.catalog,
            "PIPELINE_RAW_DIR": str(self.base / "raw"),
            "PIPELINE_WAREHOUSE_DIR": str(self.base / "warehouse"),
            "PIPELINE_CACHE_DIR": str(self.base / "cache"),
            "PIPELINE_DOWNLOAD_TIMEOUT_SECONDS": "5",
            "DAGSTER_HOME": str(self.base / "dagster_home"),
            "DAGSTER_PG_URL": self.store.dagster_url,
            "WJP_SNAPSHOT_URL": self.urls.get("wjp_roli", UNREACHABLE_URL),
            "VDEM_SNAPSHOT_URL": self.urls.get("vdem_ert", UNREACHABLE_URL),
        }
        return env

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", *args],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def cli(self, *args: str) -> tuple[int, str]:
        process = self.start(*args)
        out, _ = process.communicate(timeout=CLI_SECONDS)
        return process.returncode, out

    def reader(self) -> duckdb.DuckDBPyConnection:
        """DuckDB as a reader on this machine has it: the extensions, the S3 secret, the lake
        attached read-only."""
        con = duckdb.connect()
        lake.load_extensions(con, self.base / "extensions")
        con.execute(lake.s3_secret_sql(self.env))
        if self.store.catalog:
            con.execute(f"ATTACH 'ducklake:{self.store.catalog}' AS lake (READ_ONLY)")
        return con


def publish_from_a(services, tmp_path: Path, source_urls, catalog=True) -> tuple[Shared, dict]:
    store = shared(services, catalog)
    code, out = Machine(tmp_path / "a", store, dict(source_urls)).cli("refresh")
    assert code == 0, out
    return store, store.pointer()


def exports_of(con, store: Shared, release_id: str) -> dict[str, str]:
    return {
        key.rsplit("/", 1)[1]: key
        for key in store.keys(f"project/releases/{release_id}/exports/")
        if key.endswith(".parquet")
    }


def same_rows(con, left: str, right: str) -> bool:
    """Whether two relations hold the same rows, duplicates counted."""
    differ = con.execute(
        f"SELECT (SELECT count(*) FROM (FROM {left} EXCEPT ALL FROM {right})) + "  # noqa: S608
        f"(SELECT count(*) FROM (FROM {right} EXCEPT ALL FROM {left}))"
    ).fetchone()[0]
    return differ == 0


def test_a_publishes_and_b_reads_it_through_ducklake_and_parquet_as_a_local_build(
    services, built, source_urls, tmp_path
):
    store, pointer = publish_from_a(services, tmp_path, source_urls)
    release_id = pointer["release_id"]
    b = Machine(tmp_path / "b", store)
    con = b.reader()
    con.execute(f"ATTACH '{built.layout.published_db}' AS local (READ_ONLY)")
    local_marts = lake.relations(con, "local", MARTS)
    assert lake.relations(con, "lake", MARTS) == local_marts
    for mart in local_marts:
        assert same_rows(con, f'lake.marts."{mart}"', f'local.marts."{mart}"'), mart
    snapshot = con.execute(
        "SELECT snapshot_id FROM lake.snapshots() WHERE commit_message = ?", [release_id]
    ).fetchone()[0]
    at_release = f"lake.marts.funding AT (VERSION => {int(snapshot)})"
    assert same_rows(con, at_release, "local.marts.funding")  # the release, by its snapshot
    parquet = exports_of(con, store, release_id)
    assert sorted(parquet) == sorted(
        p.name for p in (built.warehouse_dir / "exports").glob("*.parquet")
    )
    client = store.client()
    for name, key in parquet.items():
        url = f"s3://{store.bucket}/{key}"
        local = built.warehouse_dir / "exports" / name
        assert same_rows(con, f"read_parquet('{url}')", f"read_parquet('{local}')"), name
        stored = client.get_object(Bucket=store.bucket, Key=key)["Body"].read()
        assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(local.read_bytes()).hexdigest()
    assert not (tmp_path / "b" / "warehouse").exists()  # B read without any local state
    code, out = b.cli("verify")
    assert code == 0 and f"release {release_id}" in out, out


@pytest.fixture(scope="module")
def a_release(services, tmp_path_factory, source_urls):
    """A's first release, in a bucket of its own (no lake): the tests below copy it."""
    store, pointer = publish_from_a(services, tmp_path_factory.mktemp("a"), source_urls, False)
    return store, pointer


def copy_of(services, a_release, catalog: bool) -> Shared:
    """A bucket of the test's own holding A's release (and its cached downloads)."""
    source, _ = a_release
    store = shared(services, catalog)
    client = store.client()
    for key in source.keys("project/"):
        client.copy_object(
            Bucket=store.bucket, Key=key, CopySource={"Bucket": source.bucket, "Key": key}
        )
    return store


def test_b_with_an_empty_disk_and_offline_builds_one_mart_from_as_release(
    services, a_release, tmp_path
):
    store = copy_of(services, a_release, catalog=False)
    first = store.pointer()["release_id"]
    b = Machine(tmp_path / "b", store)
    code, out = b.cli("refresh", "--select", "mart_funding")
    assert code == 0, out
    pointer = store.pointer()
    assert pointer["release_id"] != first and pointer["history"] == [first, pointer["release_id"]]
    manifest = json.loads(
        (tmp_path / "b/warehouse/releases" / pointer["release_id"] / "manifest.json").read_text()
    )
    assert manifest["previous_release"] == first and "mart_funding" in manifest["rebuilt"]
    client = store.client()

    def digest(release_id, name):
        key = f"project/releases/{release_id}/exports/{name}"
        return hashlib.sha256(
            client.get_object(Bucket=store.bucket, Key=key)["Body"].read()
        ).hexdigest()

    for name in ("indicators.parquet", "timeline.parquet", "paper_claims.parquet"):
        assert digest(first, name) == digest(pointer["release_id"], name), name
    # Everything again, still offline: the downloads come from the object store's cache.
    code, out = Machine(tmp_path / "c", store).cli("refresh", "--force")
    assert code == 0, out
    release_id = store.pointer()["release_id"]
    downloads = json.loads(
        client.get_object(Bucket=store.bucket, Key=f"project/releases/{release_id}/manifest.json")[
            "Body"
        ].read()
    )["downloads"]
    assert {(d["status"], d["obtained_from"]) for d in downloads.values()} == {("loaded", "cache")}


def test_two_machines_publishing_at_once_one_wins_and_no_release_is_mixed(
    services, a_release, tmp_path
):
    store = copy_of(services, a_release, catalog=True)
    first = store.pointer()["release_id"]
    machines = [Machine(tmp_path / name, store) for name in ("a", "b")]
    started = [m.start("refresh", "--force") for m in machines]
    outcomes = [p.communicate(timeout=CLI_SECONDS) + (p.returncode,) for p in started]
    codes = sorted(code for _, _, code in outcomes)
    said = "\n".join(out for out, _, _ in outcomes)
    assert codes == [0, 1], said
    assert "was published while this refresh was building from" in said
    assert "Refresh again." in said
    pointer = store.pointer()
    assert pointer["history"] == [first, pointer["release_id"]]
    winner = machines[[code for _, _, code in outcomes].index(0)]
    assert winner.cli("verify")[0] == 0
    releases = {key.split("/")[2] for key in store.keys("project/releases/")}
    assert releases == {first, pointer["release_id"]}  # the loser's uploads are gone
    con = Machine(tmp_path / "reader", store).reader()
    newest = con.execute(
        "SELECT commit_message FROM lake.snapshots() ORDER BY snapshot_id DESC LIMIT 1"
    ).fetchone()[0]
    assert newest == pointer["release_id"]


def test_the_store_failing_mid_upload_leaves_current_on_the_last_whole_release(
    services, a_release, tmp_path
):
    store = copy_of(services, a_release, catalog=True)
    first = store.pointer()
    proxy = FailingProxy(store.endpoint)
    try:
        proxy.fail_writes_under, proxy.allowed = "/releases/", 5  # the 6th file fails
        a = Machine(tmp_path / "a", store, endpoint=proxy.url)
        code, out = a.cli("refresh", "--force")
    finally:
        proxy.close()
    assert code == 1, out
    assert "the object store" in out and "failed to write" in out, out
    assert proxy.refused >= 1
    assert store.pointer() == first
    assert {key.split("/")[2] for key in store.keys("project/releases/")} == {first["release_id"]}
    b = Machine(tmp_path / "b", store)
    code, out = b.cli("verify")
    assert code == 0 and first["release_id"] in out, out
    with pytest.raises(duckdb.Error, match="does not exist"):  # the lake was never written
        b.reader()
