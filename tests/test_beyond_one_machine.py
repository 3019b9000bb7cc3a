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

import pytest

from tests.machines import (
    CLI_SECONDS,
    LakeReadError,
    Machine,
    Shared,
    exports_of,
    publish_from_a,
    relations_query,
    rows_differing,
    shared,
)
from tests.services import FailingProxy, postgres_server, s3_server

# PostgreSQL, an S3 server and two machines' refreshes: a minute and a half, mostly waiting.
pytestmark = pytest.mark.long_waits


@pytest.fixture(scope="module")
def services():
    """moto's S3 server and a PostgreSQL cluster, with the Dagster instance's database made."""
    with s3_server() as endpoint, postgres_server() as pg:
        pg.create_database("dagster")
        yield endpoint, pg


def test_a_publishes_and_b_reads_it_through_ducklake_and_parquet_as_a_local_build(
    services, built, source_urls, tmp_path
):
    store, pointer = publish_from_a(services, tmp_path, source_urls)
    release_id = pointer["release_id"]
    b = Machine(tmp_path / "b", store)
    local = ((built.layout.published_db, "local"),)
    local_marts, lake_marts, (snapshot,) = b.read(
        [
            relations_query("local"),
            relations_query("lake"),
            ("SELECT snapshot_id FROM lake.snapshots() WHERE commit_message = ?", [release_id]),
        ],
        attach=local,
    )
    assert lake_marts == local_marts and local_marts
    at_release = f"lake.marts.funding AT (VERSION => {int(snapshot[0])})"
    parquet = exports_of(store, release_id)
    exports = built.warehouse_dir / "exports"
    assert sorted(parquet) == sorted(
        p.relative_to(exports).as_posix() for p in exports.rglob("*.parquet")
    )
    pairs = [(f'lake.marts."{m}"', f'local.marts."{m}"') for (m,) in local_marts]
    pairs.append((at_release, "local.marts.funding"))  # the release, by its snapshot
    for name, key in parquet.items():
        stored, local_file = f"s3://{store.bucket}/{key}", built.warehouse_dir / "exports" / name
        pairs.append((f"read_parquet('{stored}')", f"read_parquet('{local_file}')"))
    differing = b.read([rows_differing(left, right) for left, right in pairs], attach=local)
    assert {pair: rows[0][0] for pair, rows in zip(pairs, differing, strict=True)} == {
        pair: 0 for pair in pairs
    }
    client = store.client()
    for name, key in parquet.items():
        stored = client.get_object(Bucket=store.bucket, Key=key)["Body"].read()
        local_file = built.warehouse_dir / "exports" / name
        assert hashlib.sha256(stored).digest() == hashlib.sha256(local_file.read_bytes()).digest()
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

    for name in ("indicators/wjp_roli.parquet", "timeline.parquet", "paper_claims.parquet"):
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
    [[(newest,)]] = Machine(tmp_path / "reader", store).read(
        [("SELECT commit_message FROM lake.snapshots() ORDER BY snapshot_id DESC LIMIT 1", ())]
    )
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
    with pytest.raises(LakeReadError, match="does not exist"):  # the lake was never written
        b.read([("SELECT 1", ())])
