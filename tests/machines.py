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

from pipeline import lake
from pipeline.instance import write_instance_file
from pipeline.settings import REPO_ROOT, lake_site
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
        write_instance_file(home, postgres=True)

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

    def read(self, queries: list, attach: tuple = (), catalog: bool = True) -> list[list]:
        """The rows of each (sql, params), as DuckDB on this machine reads them: the lake's
        DuckDB and extensions, the S3 secret, the lake attached read-only
        (tests/lake_client.py); `attach`: (path, alias) of local files, read-only too.
        LakeReadError with DuckDB's words when a statement fails."""
        request = {
            "extensions": str(self.base / "extensions"),
            "catalog": self.store.catalog if catalog else "",
            "attach": [[str(path), alias] for path, alias in attach],
            "queries": [[sql, list(params)] for sql, params in queries],
        }
        env = self.env | {"PYTHONPATH": os.pathsep.join([str(lake_site()), str(REPO_ROOT)])}
        done = subprocess.run(
            [sys.executable, str(REPO_ROOT / "tests" / "lake_client.py")],
            input=json.dumps(request),
            env=env,
            capture_output=True,
            text=True,
            timeout=CLI_SECONDS,
        )
        assert done.returncode == 0, done.stderr
        answer = json.loads(done.stdout.strip().splitlines()[-1])
        if "error" in answer:
            raise LakeReadError(answer["error"])
        return answer["rows"]


class LakeReadError(RuntimeError):
    """A statement of the lake's reader failed; DuckDB's words."""


def publish_from_a(services, tmp_path: Path, source_urls, catalog=True) -> tuple[Shared, dict]:
    store = shared(services, catalog)
    code, out = Machine(tmp_path / "a", store, dict(source_urls)).cli("refresh")
    assert code == 0, out
    return store, store.pointer()


def exports_of(store: Shared, release_id: str) -> dict[str, str]:
    """{path under exports/: object key} of a release's Parquet files."""
    return {
        key.split("/exports/", 1)[1]: key
        for key in store.keys(f"project/releases/{release_id}/exports/")
        if key.endswith(".parquet")
    }


def rows_differing(left: str, right: str) -> tuple[str, tuple]:
    """A query counting the rows two relations do not have in common, duplicates counted."""
    return (
        f"SELECT (SELECT count(*) FROM (FROM {left} EXCEPT ALL FROM {right})) + "  # noqa: S608
        f"(SELECT count(*) FROM (FROM {right} EXCEPT ALL FROM {left}))",
        (),
    )


def relations_query(database: str) -> tuple[str, tuple]:
    """The tables and views of the marts schema of an attached database (lake.relations)."""
    return lake.RELATIONS_SQL, (database, MARTS, database, MARTS)
