"""Run the real `python -m pipeline.cli refresh` in a child process against a temporary
project state (raw copy, warehouse, Dagster home, cache), and read back what is published."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from pipeline.instance import write_instance_file
from pipeline.release import WarehouseLayout, read_manifest
from pipeline.settings import REPO_ROOT
from tests.harness import UNREACHABLE_URL, copy_raw, edit_csv


@dataclass
class Sandbox:
    root: Path

    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def warehouse_dir(self) -> Path:
        return self.root / "warehouse"

    @property
    def layout(self) -> WarehouseLayout:
        return WarehouseLayout(self.warehouse_dir)

    def env(self) -> dict[str, str]:
        home = self.root / "dagster_home"
        home.mkdir(exist_ok=True)
        write_instance_file(home)
        return {
            **os.environ,
            "DAGSTER_HOME": str(home),
            "PIPELINE_RAW_DIR": str(self.raw_dir),
            "PIPELINE_WAREHOUSE_DIR": str(self.warehouse_dir),
            "PIPELINE_CACHE_DIR": str(self.root / "cache"),
            "WJP_SNAPSHOT_URL": UNREACHABLE_URL,  # offline: fast and deterministic
        }

    def start_refresh(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "-m", "pipeline.cli", "refresh", *args],
            cwd=REPO_ROOT,
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, killed as a whole
        )

    def refresh(self, timeout: float = 300) -> subprocess.CompletedProcess:
        process = self.start_refresh()
        output, _ = process.communicate(timeout=timeout)
        return subprocess.CompletedProcess(process.args, process.returncode, output)


def make_sandbox(root: Path) -> Sandbox:
    copy_raw(root)
    return Sandbox(root)


def set_variant(sandbox: Sandbox, variant: str) -> str:
    """Two valid raw states, told apart by one source title; returns that file's sha256."""
    sources = sandbox.raw_dir / "reference" / "sources.csv"
    text = sources.read_text(encoding="utf-8")
    marker = "EU projects in Uzbekistan"
    other = "EU projects in Uzbekistan (variant B)"
    if variant == "B" and other not in text:
        edit_csv(sources, marker, other)
    if variant == "A" and other in text:
        edit_csv(sources, other, marker)
    return _sha256(sources)


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=60)


SOURCES_PATH = "raw/reference/sources.csv"


def published_state(layout: WarehouseLayout) -> str:
    """The sha256 of sources.csv that the published state was built from, after checking that
    the DuckDB file, every export, the report and the manifest all come from the same build."""
    release = layout.current_release()
    assert release is not None, "current does not point at a release"
    manifest = read_manifest(release)["inputs"]
    with duckdb.connect(str(layout.published_db), read_only=True) as con:
        in_db = dict(
            con.execute(
                "SELECT path, sha256 FROM raw.source_files WHERE kind = 'transcription'"
            ).fetchall()
        )
        assert con.execute("SELECT count(*) FROM marts.indicators").fetchone()[0] > 0
    assert in_db == {k: v for k, v in manifest.items() if k.endswith(".csv")}, "DB vs manifest"
    for export in sorted((layout.root / "exports").glob("*.parquet")):
        provenance = json.loads(pq.read_schema(export).metadata[b"provenance"])
        for source in provenance["sources"]:
            if source["kind"] == "transcription":
                assert manifest[source["path"]] == source["sha256"], f"{export.name} vs manifest"
    report = (layout.root / "reports" / "summary.md").read_text(encoding="utf-8")
    report = report.replace("\\_", "_")  # Markdown escapes the underscores of names
    for path, digest in in_db.items():
        assert f"| {path} | {digest[:12]} |" in report, f"report vs manifest for {path}"
    return manifest[SOURCES_PATH]
