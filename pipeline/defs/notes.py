"""The logger `make run` shows: the refresh's own notes (download progress, a release that does
not verify, the release guard with nothing to compare) as plain indented lines on stderr.

Dagster logs its own events at DEBUG and the refresh's notes at INFO; the CLI runs its job with
this logger alone (pipeline/cli.py), so a user sees the notes and none of the events. Runs from
the UI, the schedule and the sensor configure no logger and get Dagster's console logger.

Belongs here: that logger. Stays out: what is noted (pipeline/build.py, stages.py, downloads).
"""

from __future__ import annotations

import logging
import sys

import dagster as dg

NOTES = "notes"
CLI_LOGGERS = {"loggers": {NOTES: {"config": {}}}}


class _NoteFormatter(logging.Formatter):
    """The note as the refresh wrote it: Dagster keeps it in the record's `dagster_meta`
    (its whole message prefixes the run and step); the whole message where it does not."""

    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", None) or {}
        return f"  {meta.get('orig_message') or record.getMessage()}"


def _notes_only(record: logging.LogRecord) -> bool:
    """The refresh's own messages; not Dagster's events (a failed step is said by the CLI)."""
    meta = getattr(record, "dagster_meta", None) or {}
    return meta.get("dagster_event") is None


@dg.logger(description="The refresh's notes (INFO and above) as plain lines on stderr.")
def notes_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger(f"pipeline.notes.{init_context.run_id}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_NoteFormatter())
    handler.addFilter(_notes_only)
    logger.handlers = [handler]
    return logger
