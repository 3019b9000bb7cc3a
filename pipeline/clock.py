"""A clock that is clearly wrong is named as such, before any rule reads today's date.

A refresh checks dates against today ("not in the future") and names releases by the time they
were published. A machine whose clock reads earlier than the newest raw file or the newest
release (by more than a day of slack for files copied from another machine) would refuse dozens
of dates, or order releases wrongly: the refresh is refused at once with one line that says it
is the clock.

Belongs here: that check. Stays out: the date rules (schemas/rules.py).
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from pipeline.store import as_store
from pipeline.store.base import ReleaseStore

SLACK_SECONDS = 24 * 3600


def clock_problem(raw_dir: Path, store: ReleaseStore) -> str:
    """'' when the clock reads later than every raw file and release; else one line."""
    newest, what = 0.0, ""
    for path in raw_dir.rglob("*"):
        if path.is_file() and path.stat().st_mtime > newest:
            newest, what = path.stat().st_mtime, f"the raw file {path.relative_to(raw_dir)}"
    published = as_store(store).newest_publish()
    if published is not None and published[0] > newest:
        newest, what = published
    now = time.time()
    if now + SLACK_SECONDS >= newest:
        return ""
    return (
        f"The system clock reads {_day(now)}, earlier than {what} ({_day(newest)}): the clock is "
        "wrong. Set it (date, NTP), then refresh again; nothing was built."
    )


def _day(stamp: float) -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
