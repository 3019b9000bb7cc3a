"""Two "machines" for the tests of releases beyond one machine: each a folder with its own copy
of raw/, warehouse, download cache and DAGSTER_HOME, running the real CLI in its own process;
what they share is a bucket on the S3 server and PostgreSQL (tests/services.py).

Belongs here: the machines, the shared bucket and lake, and what the tests read from them.
Stays out: the services (services.py), the tests (test_beyond_one_machine.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import duckdb

from pipeline import lake
from pipeline.settings import REPO_ROOT
from tests.harness import UNREACHABLE_URL, copy_raw
from tests.services import CREDENTIALS

CLI_SECONDS = 300
MARTS = "marts"


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
