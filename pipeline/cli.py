"""Command line.

    python -m pipeline.cli refresh [--force] [--select SELECTION] [--allow-shrink SOURCE ...]
                                   [--verbose]
    python -m pipeline.cli checksums [--write]
    python -m pipeline.cli dictionary [--write]
    python -m pipeline.cli verify [RELEASE_ID]
    python -m pipeline.cli rollback

`refresh` waits while another refresh builds the warehouse, then answers from the release
manifest when nothing changed (no Dagster run); otherwise it runs the refresh job in this
project's Dagster instance (the UI lists the run under the job), of a part of the graph with
`--select`, prints one line per step, then either where the outputs are and a verification
summary, or the project's own refusal lines: file, line, column, rule, value, what to do.
Dagster's full log goes to a file whose path is printed; stack traces only with --verbose.

Run as a program, the CLI collects garbage less often (`GC_THRESHOLDS`, Python's are 700, 10,
10) and a refresh freezes the collector's view of what it imported and defined (`gc.freeze`):
those objects live until the process ends, and Python's full collections, during the run and
one more at exit, scanned them again each time. Measured on a refresh of the project (gc
callbacks, 2 runs each): collections took 1.0 s during the run (0.65 s with the freeze alone)
and the exit about 1 s; now 0.13 to 0.16 s and 0.1 s. Objects made later are collected as usual;
the peak RSS went from 413-415 MB to 417-419 MB.

Belongs here: argument handling and running the commands. Stays out: what the job does, what a
refresh prints (console.py).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

from pipeline import console

# The tag Dagster gives runs launched from a code location ("<repository>@<location>"), which
# the UI's job pages filter on; a Definitions object holds the one repository of this name.
REPOSITORY_LABEL_TAG = ".dagster/repository"
# A collection of the youngest objects every 20,000 allocations, not 700 (module docstring).
GC_THRESHOLDS = (20_000, 20, 20)
SINGLE_REPOSITORY = "__repository__"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    refresh_cmd = commands.add_parser("refresh", help="rebuild and publish the warehouse")
    refresh_cmd.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    refresh_cmd.add_argument(
        "--allow-shrink",
        action="append",
        default=[],
        metavar="SOURCE",
        help="accept that SOURCE's rows vanish or shrink in the marts (a source_id, or "
        "mart.source_id; several separated by commas, or the flag repeated; removed-sources "
        "accepts every source whose rows are gone from every mart); an id that names no source "
        "of the current release is an error; the manifest and the report record it",
    )
    refresh_cmd.add_argument(
        "--verbose", action="store_true", help="print Dagster's log and traces"
    )
    refresh_cmd.add_argument(
        "--select",
        metavar="SELECTION",
        help="build these assets and what they need, e.g. 'mart_funding+' or "
        "'group:3_marts' (Dagster's asset selection syntax); published like any refresh",
    )
    checksums_cmd = commands.add_parser("checksums", help="check the origin records' sha256")
    checksums_cmd.add_argument(
        "--write",
        action="store_true",
        help="record each data file's checksum in its record: add it for a new file (a "
        "placeholder such as TODO, or no sha256 line), update it after a deliberate edit",
    )
    dictionary_cmd = commands.add_parser(
        "dictionary", help="check docs/data-dictionary.md against the table specs"
    )
    dictionary_cmd.add_argument("--write", action="store_true", help="regenerate it from the specs")
    verify_cmd = commands.add_parser(
        "verify", help="check a release's files against its manifest (current by default)"
    )
    verify_cmd.add_argument("release_id", nargs="?", help="a folder name under releases/")
    commands.add_parser("rollback", help="point current at the previous release that verifies")
    args = parser.parse_args(argv)
    if args.command in ("verify", "rollback"):
        from pipeline import release_commands

        if args.command == "verify":
            return release_commands.verify(args.release_id)
        return release_commands.rollback()
    if args.command == "checksums":
        return checksums(write=args.write)
    if args.command == "dictionary":
        return dictionary(write=args.write)
    return refresh(
        force=args.force, allow_shrink=args.allow_shrink, verbose=args.verbose, select=args.select
    )


# --- checksums -------------------------------------------------------------------------------


def checksums(write: bool) -> int:
    from pipeline.settings import Settings
    from pipeline.transforms.sources import checksums as records

    raw_dir = Settings.resolve().raw_dir
    failed = updated = 0
    for message in records.undeclared(raw_dir):
        print(f"undeclared  {message}")
        failed += 1
    for status in records.statuses(raw_dir):
        if status.status == records.OK:
            continue
        if write and records.writable(status):
            refused = records.write_checksum(status)
            updated += refused is None
            print(records.written_line(status) if refused is None else f"not updated {refused}")
            failed += refused is not None
            continue
        failed += 1
        print(f"{status.status:<11} {status.record.shown}")
        for detail in status.details:
            print(f"            {detail}")
    if not failed and not updated:
        print("every origin record matches its data file")
    return 1 if failed else 0


# --- dictionary ------------------------------------------------------------------------------


def dictionary(write: bool, path: Path | None = None) -> int:
    """Compare the data dictionary (docs/data-dictionary.md) with the one the table specs give;
    with `write`, replace it (atomically) when it differs, and say whether it did."""
    from pipeline.settings import REPO_ROOT
    from pipeline.transforms.files import write_atomically
    from pipeline.transforms.publish import data_dictionary as dd

    path = path or dd.DOC_PATH
    shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    text = dd.data_dictionary()
    current = path.read_text(encoding="utf-8") if path.is_file() else None
    if current == text:
        print(f"{shown} is up to date with the table specs")
        return 0
    if not write:
        state = "missing" if current is None else "stale"
        print(f"{shown} is {state}: the table specs changed. Run: {dd.REGENERATE}")
        return 1
    write_atomically(path, text.encode("utf-8"))
    print(f"wrote {shown} from the table specs")
    return 0


# --- refresh ---------------------------------------------------------------------------------


def refresh(force: bool, allow_shrink: list[str], verbose: bool, select: str | None = None) -> int:
    """A refresh in the project's Dagster instance, as a run of the `refresh` job that the UI
    lists under the job. One refresh at a time: this waits for one that is running (from the
    UI, the schedule, the sensor or another `make run`), then looks again whether anything
    changed."""
    from pipeline import locks
    from pipeline.settings import Settings, problems
    from pipeline.store import open_store
    from pipeline.transforms.publish import release_state as state

    started = time.monotonic()
    bad_settings = problems(needs_dagster_home=True)  # before anything is built: exit 2
    if bad_settings:
        print(*bad_settings, sep="\n", file=sys.stderr)
        return 2
    store = open_store(Settings.resolve())
    root = store.layout.root
    allow_shrink = state.allowed_ids(allow_shrink)  # an id the release lacks: exit 2, at once
    manifest = store.current_manifest() if allow_shrink else {}
    if unknown := state.unknown_in_release(allow_shrink, manifest.get("row_counts", {})):
        print(unknown, file=sys.stderr)
        return 2
    holder = f"`make run` (pid {os.getpid()}, started {time.strftime('%H:%M:%S')})"
    with locks.refresh_lock(root, holder, _say_waiting):
        if not (force or allow_shrink or select):
            from pipeline.release_commands import damaged_current

            damaged = damaged_current()
            for line in damaged:
                print(line)
            unchanged = None if damaged else _unchanged_release()
            if unchanged:
                print(
                    f"Nothing changed since release {unchanged}: no input and no code changed, "
                    "so nothing was rebuilt or published (--force rebuilds)."
                )
                return 0
        return _run_job(started, allow_shrink, verbose, select, if_changed=not (force or select))


def _say_waiting(holder: str) -> None:
    print(f"Waiting for {holder} to finish: one refresh at a time builds the warehouse.")


def _run_job(
    started: float, allow_shrink: list[str], verbose: bool, select: str | None, if_changed: bool
) -> int:
    import dagster as dg

    from pipeline import definitions
    from pipeline import instance as store
    from pipeline.defs.assets.publish import ALLOW_SHRINK_TAG
    from pipeline.defs.assets.refresh import IF_CHANGED_TAG
    from pipeline.defs.automation import REFRESH_JOB
    from pipeline.defs.factory import build_definitions
    from pipeline.defs.notes import CLI_LOGGERS

    defs = build_definitions()
    if __name__ == "__main__":  # run as a program, not imported (module docstring)
        gc.freeze()
    graph = defs.resolve_asset_graph()
    keys = None
    if select:
        try:
            keys = sorted(dg.AssetSelection.from_string(select).resolve(graph))
        except Exception as err:  # the selection syntax's own errors
            print(f"--select {select!r}: {err}", file=sys.stderr)
            return 2
        if not keys:
            print(f"--select {select!r} selects no asset", file=sys.stderr)
            return 2
    # The label Dagster gives runs launched from the code location (`make dev` loads the module
    # as a location of its name, holding one repository): the UI lists the run under its job.
    tags = {REPOSITORY_LABEL_TAG: f"{SINGLE_REPOSITORY}@{definitions.__name__}"}
    if allow_shrink:
        tags[ALLOW_SHRINK_TAG] = ",".join(allow_shrink)
    if if_changed:
        tags[IF_CHANGED_TAG] = "true"
    before = console.current_release_name()
    try:
        with store.open_instance(dg) as instance:
            result = defs.resolve_job_def(REFRESH_JOB).execute_in_process(
                instance=instance,
                raise_on_error=False,
                run_config=None if verbose else CLI_LOGGERS,
                tags=tags,
                asset_selection=keys,
            )
            log = console.write_log(result)
            pruned = store.prune_runs(instance, console.keep_runs())
    except Exception as err:  # the instance's store, named; anything else as it was
        if (said := store.store_failure(err)) is None:
            raise
        return console.print_store_failure(said, before)
    if pruned:
        print(pruned, file=sys.stderr)
    console.print_stages(result, graph)
    if result.success and not result.get_asset_materialization_events():
        console.print_unchanged(result)
        return 0
    if result.success:
        console.print_success(result, time.monotonic() - started, log)
        return 0
    console.print_refusal(result, time.monotonic() - started, log, verbose)
    return 1


def _unchanged_release() -> str | None:
    """The current release's id when a refresh would change nothing (no Dagster import)."""
    from pipeline import lineage
    from pipeline.asset_versions import asset_versions
    from pipeline.plan import current_inputs, stale
    from pipeline.settings import Settings

    settings = Settings.resolve()
    graph = lineage.build_graph(settings.raw_dir, settings.models_dir)
    inputs = current_inputs(settings, graph, asset_versions(graph))
    if not inputs.published or stale(graph, inputs):
        return None
    return inputs.release_id


if __name__ == "__main__":
    gc.set_threshold(*GC_THRESHOLDS)
    from pipeline.settings import SettingsError

    try:
        code = main()
    except SettingsError as bad:  # checksums, dictionary: one line per bad setting
        print(bad, file=sys.stderr)
        sys.exit(2)
    gc.freeze()  # the exit's collection skips what the run left (module docstring)
    sys.exit(code)
