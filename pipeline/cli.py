"""Command line: `python -m pipeline.cli refresh` runs the refresh job in this project's Dagster
instance (so the UI shows the run) and prints one line per stage and a summary.

Belongs here: argument handling and console output. Stays out: what the job does.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import dagster as dg

from pipeline import paths, release

# Dagster's own console log is for the UI and debugging; the CLI prints stages and failures.
# Every event is still stored in the instance, so the run is fully visible in the UI.
QUIET_CONSOLE = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
STAGES = ("raw", "staging", "marts", "exports", "reports", "publish")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline", description=__doc__)
    parser.add_argument(
        "command",
        choices=["refresh", "checksums"],
        help="refresh: run the full refresh job; checksums: verify the origin records' sha256",
    )
    parser.add_argument("--write", action="store_true",
                        help="with checksums: record each raw CSV's current sha256")  # fmt: skip
    args = parser.parse_args(argv)
    if args.command == "checksums":
        return checksums(write=args.write)
    return refresh()


def checksums(write: bool) -> int:
    """Report raw CSVs whose origin record's sha256 is stale; with --write, update them."""
    from pipeline.schemas.raw import RAW_TABLES
    from pipeline.transforms.raw_io import read_origin, sha256_of, update_origin_checksum

    stale = 0
    for table in RAW_TABLES:
        path = paths.raw_dir() / table.relative_path
        origin, _ = read_origin(path, sha256_of(path.read_bytes()), table)
        if origin.get("sha256") == sha256_of(path.read_bytes()):
            continue
        stale += 1
        if write:
            update_origin_checksum(path)
            print(f"updated  raw/{table.relative_path}")
        else:
            print(f"stale    raw/{table.relative_path}")
    return 0 if write or not stale else 1


def refresh() -> int:
    from pipeline.definitions import defs

    started = time.monotonic()
    job = defs.resolve_job_def("refresh")
    with _open_instance() as instance:
        result = job.execute_in_process(
            instance=instance, raise_on_error=False, run_config=QUIET_CONSOLE
        )
    print_stages(result)
    print_failures(result)
    print_summary(result, time.monotonic() - started)
    return 0 if result.success else 1


def _open_instance() -> dg.DagsterInstance:
    """The project's Dagster instance. Two refreshes started at the same moment on a new
    DAGSTER_HOME would both create its SQLite tables and one would fail, so creation is
    serialised with a lock file in DAGSTER_HOME."""
    home = Path(os.environ["DAGSTER_HOME"]) if os.environ.get("DAGSTER_HOME") else None
    if home is None:
        return dg.DagsterInstance.get()  # raises Dagster's own clear error
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".instance-init.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return dg.DagsterInstance.get()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def print_stages(result) -> None:
    seconds, rows, assets = _stage_stats(result)
    for stage in STAGES:
        if stage not in seconds:
            continue
        counted = f"{rows[stage]:>6} rows" if rows[stage] else " " * 11
        print(f"  {stage:<8} {assets[stage]:>3} assets {counted}  {seconds[stage]:6.2f} s")


def _stage_stats(result):
    seconds, rows, assets = defaultdict(float), defaultdict(int), defaultdict(int)
    for event in result.all_events:
        stage = _stage_of(event.step_key)
        if event.event_type_value == "STEP_SUCCESS":
            seconds[stage] += event.event_specific_data.duration_ms / 1000
        if event.event_type_value == "ASSET_MATERIALIZATION":
            assets[stage] += 1
            count = event.event_specific_data.materialization.metadata.get("dagster/row_count")
            rows[stage] += count.value if count is not None else 0
    return seconds, rows, assets


def _stage_of(step_key: str | None) -> str:
    mapping = {"raw_tables": "raw", "raw_wjp__roli": "raw", "indicator_sources": "raw",
               "staging_tables": "staging",
               "marts": "marts",
               "parquet_exports": "exports", "report_summary": "reports",
               "warehouse_release": "publish"}  # fmt: skip
    return mapping.get(step_key or "", step_key or "")


def print_failures(result) -> None:
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                messages = evaluation.metadata.get("messages")
                text = messages.value if messages is not None else ""
                indented = text.replace("\n", "\n  ")
                asset = evaluation.asset_key.to_user_string()
                label = "WARNING" if evaluation.severity.value == "WARN" else "FAILED"
                print(f"\n{label}: check {evaluation.check_name} on {asset}:\n  {indented}",
                      file=sys.stderr)  # fmt: skip
        if event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            while error.cause is not None:  # the user's error, not Dagster's wrapper around it
                error = error.cause
            print(f"\nFAILED step {event.step_key}: {error.message.strip()}", file=sys.stderr)


def _snapshot_unavailable(result) -> bool:
    return any(
        e.event_type_value == "ASSET_CHECK_EVALUATION"
        and e.event_specific_data.check_name == "snapshot_available"
        and not e.event_specific_data.passed
        for e in result.all_events
    )


def print_summary(result, elapsed: float) -> None:
    layout = release.WarehouseLayout(paths.warehouse_dir())
    if result.success:
        print(f"\nRefresh succeeded in {elapsed:.1f} s (run {result.run_id}).")
        if _snapshot_unavailable(result):
            print("  WJP snapshot unavailable: the paper's cells are marked not_checked "
                  "(see the warning above; WJP_SNAPSHOT_URL sets a mirror).")  # fmt: skip
        print(f"  warehouse: {layout.published_db}")
        print(f"  exports:   {layout.root / 'exports'}/*.parquet")
        print(f"  report:    {layout.root / 'reports' / 'summary.html'}")
    else:
        print(f"\nRefresh FAILED after {elapsed:.1f} s (run {result.run_id}); nothing was "
              "published.", file=sys.stderr)  # fmt: skip
        current = layout.current_release()
        kept = f"the last good release is still in place: {current}" if current else \
            "there is no earlier release"  # fmt: skip
        print(f"  {kept}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
