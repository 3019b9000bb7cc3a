"""What a refresh prints and logs: one line per step, then where everything is and a
verification summary, or the project's own refusal lines (file, line, column, rule, value, what
to do); and the run's full log, with stack traces, in warehouse/logs/<run_id>.log.

Belongs here: turning a Dagster result into text. Stays out: running it (cli.py).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path


def keep_runs() -> int:
    """How many runs (and their logs) the project's instance keeps: PIPELINE_KEEP_RUNS."""
    from pipeline.settings import Settings

    return Settings.resolve().keep_runs


def _store():
    from pipeline.settings import Settings
    from pipeline.store import open_store

    return open_store(Settings.resolve())


def _layout():
    return _store().layout


def write_log(result) -> str:
    """Every event of the run, with stack traces, in warehouse/logs/<run_id>.log (outside the
    published releases; the last PIPELINE_KEEP_RUNS logs are kept): its path, or why it could
    not be written. Bookkeeping never changes a run's outcome: a log that cannot be written (a
    full or read-only disk) is a warning, and the run's own result is still reported."""
    path = _layout().root / "logs" / f"{result.run_id}.log"
    try:
        _write_log(result, path)
    except OSError as err:
        return f"not written ({path}: {err.strerror or err})"
    return str(path)


def _write_log(result, path: Path) -> None:
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for event in result.all_events:
        lines.append(
            f"{event.event_type_value} {event.step_key or ''} {event.message or ''}".rstrip()
        )
    for evaluation in result.get_asset_check_evaluations():
        messages = evaluation.metadata.get("messages")
        state = "passed" if evaluation.passed else f"FAILED ({evaluation.severity.value})"
        said = f" ({evaluation.description})" if evaluation.description else ""
        lines.append(
            f"CHECK {evaluation.asset_key.to_user_string()} {evaluation.check_name} {state}{said}"
        )
        if not evaluation.passed and messages is not None:
            lines.append("  " + messages.value.replace("\n", "\n  "))
    for failure in result.get_step_failure_events():
        lines.append(
            f"\n--- {failure.step_key} failed ---\n{failure.step_failure_data.error.to_string()}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    keep = keep_runs()
    for old in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime)[:-keep]:
        old.unlink(missing_ok=True)


def current_release_name() -> str | None:
    from pipeline.locations import StoreError

    try:
        return _store().current_id()
    except StoreError:
        return None


def print_store_failure(said: str, before: str | None) -> int:
    """The instance's store failed: 0 if the refresh had published a release before it did
    (bookkeeping never changes the outcome), else 1."""
    print(said, file=sys.stderr)
    now = current_release_name()
    if now and now != before:
        print(f"Release {now} was published before that; the warehouse is up to date.")
        return 0
    print("Nothing was published.", file=sys.stderr)
    return 1


def print_stages(result, graph) -> None:
    """One line per step: the assets it built (published, or refused), their rows, its
    seconds."""
    from pipeline.build import STEP_OF, STEPS

    rows, assets = defaultdict(int), defaultdict(int)
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        group = graph.get(materialization.asset_key).group_name
        step = STEP_OF[group.split("_", 1)[1]]
        assets[step] += 1
        count = materialization.metadata.get("dagster/row_count")
        rows[step] += count.value if count is not None else 0
    seconds = _failure_metadata(result, "seconds per step") or _release_seconds(result)
    assets.update(_failure_metadata(result, "assets built per step"))
    refused_at = list(seconds)[-1] if seconds and not result.success else None
    for step in [*STEPS, "publish"]:
        if step in seconds or step in assets:
            counted = f"{rows[step]:>9,} rows" if rows[step] else " " * 14
            took = "refused" if step == refused_at else f"{seconds.get(step, 0):6.2f} s"
            print(f"  {step:<8} {assets[step]:>3} assets {counted}  {took}")


def _release_seconds(result) -> dict[str, float]:
    """Seconds per step, as the published release's materialization records them."""
    for event in result.get_asset_materialization_events():
        metadata = event.materialization.metadata
        if "seconds per step" in metadata:
            return dict(metadata["seconds per step"].value)
    return {}


def _failure_metadata(result, label: str) -> dict:
    for failure in result.get_step_failure_events():
        user = failure.step_failure_data.user_failure_data
        if user is not None and label in user.metadata:
            return dict(user.metadata[label].value)
    return {}


def print_success(result, elapsed: float, log: str) -> None:
    store = _store()
    layout = store.layout
    print(f"\nRefresh succeeded in {elapsed:.1f} s (run {result.run_id[:8]}; log: {log}).")
    for line in _warnings(result):
        print(line)
    summary = _verification_summary(layout.published_db)
    if summary:
        print(f"  verification: {summary}")
    for line in _release_notes(store):
        print(line)
    print(f"  warehouse: {layout.published_db}")
    print(f"  exports:   {layout.root / 'exports'}/*.parquet")
    print(f"  report:    {layout.root / 'reports' / 'summary.html'}")
    released = _release_materialization(result)
    for line in store.public_lines(released.get("release", "")) if released else []:
        print(line)
    if "lake" in released:
        print(f"  lake:      {released['lake']}")


def _release_materialization(result) -> dict[str, str]:
    """The text metadata of the release's materialization ({} when none)."""
    from pipeline.lineage import PUBLISH

    for event in result.get_asset_materialization_events():
        if event.materialization.asset_key.to_user_string() == PUBLISH:
            return {k: str(v.value) for k, v in event.materialization.metadata.items()}
    return {}


def print_unchanged(result) -> None:
    """A run that published nothing because nothing changed: the downloads it retried, still
    unavailable, one line each."""
    release_id = _store().current_manifest().get("release_id", "")
    print(f"Nothing changed since release {release_id}: nothing was rebuilt or published.")
    for event in result.all_events:
        if event.event_type_value == "ASSET_OBSERVATION":
            observation = event.event_specific_data.asset_observation
            reason = observation.metadata["reason"].value
            print(f"  {observation.asset_key.to_user_string()}: still unavailable: {reason}")


def _warnings(result) -> list[str]:
    lines = []
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed and evaluation.severity.value == "WARN":
            messages = evaluation.metadata.get("messages")
            text = messages.value if messages is not None else ""
            lines.append(f"  WARNING {evaluation.asset_key.to_user_string()}: {text}")
    return lines


def _verification_summary(db: Path) -> str:
    """verified / mismatched (and how many of those are explained) / unverifiable / not
    checked, over the paper's cells in the published warehouse."""
    import duckdb

    try:
        with duckdb.connect(str(db), read_only=True) as con:
            counts = dict(
                con.execute(
                    "SELECT verification, count(*) FROM marts.indicators "
                    "WHERE source_id LIKE 'paper_%' GROUP BY 1"
                ).fetchall()
            )
            explained = con.execute(
                "SELECT count(*) FROM marts.indicators WHERE verification = 'mismatch' "
                "AND erratum IS NOT NULL"
            ).fetchall()[0][0]
    except duckdb.Error:
        return ""
    return (
        f"{counts.get('verified', 0)} verified, {counts.get('mismatch', 0)} mismatched "
        f"({explained} explained by errata), {counts.get('unverifiable', 0)} unverifiable, "
        f"{counts.get('not_checked', 0)} not checked"
    )


def _release_notes(store) -> list[str]:
    manifest = store.current_manifest()
    lines = [f"  accepted: {note}" for note in manifest.get("accepted_shrinks", [])]
    for source_id, download in sorted(manifest.get("downloads", {}).items()):
        if download.get("obtained_from") == "cache":
            lines.append(f"  {source_id}: from the download cache (pinned sha256 matches)")
    return lines


def print_refusal(result, elapsed: float, log: str, verbose: bool) -> None:
    """The failed checks' messages, checksums cut to their first digits (whole in the log)."""
    from pipeline.transforms.problems import short_checksums

    err = sys.stderr
    for evaluation in result.get_asset_check_evaluations():
        if evaluation.passed or evaluation.severity.value == "WARN":
            continue
        messages = evaluation.metadata.get("messages")
        text = short_checksums(messages.value if messages is not None else "")
        text = text.replace("\n", "\n  ")
        asset = evaluation.asset_key.to_user_string()
        print(f"FAILED: {evaluation.check_name} on {asset}:\n  {text}", file=err)
    for failure in result.get_step_failure_events():
        error = failure.step_failure_data.error
        if error is None or "blocking" in (error.message or "").lower() and not verbose:
            continue
        root = error
        while root.cause is not None:
            root = root.cause
        text = root.to_string() if verbose else root.message.strip()
        if root.cls_name == "OutOfMemoryException" and not verbose:  # never DuckDB's SET advice
            from pipeline.hints import memory_hint
            from pipeline.settings import Settings

            text = memory_hint(text, Settings.resolve().memory_limit)
        print(f"FAILED: step {failure.step_key}: {_without_exception_name(text)}", file=err)
    from pipeline.release_commands import published_state

    kept = published_state()
    print(f"\nRefresh FAILED after {elapsed:.1f} s; nothing was published ({kept}).", file=err)
    print(f"  full log: {log}", file=err)


def _without_exception_name(text: str) -> str:
    head, _, rest = text.partition(": ")
    return rest if head.replace(".", "").replace("_", "").isalnum() and rest else text
