"""Every source has an id of its own. An added long-format source (raw/indicators/) whose id is
a built-in source's would silently join that source's rows in marts.indicators (an added
`wjp_roli` joined WJP's 53,625 rows), so it is refused, naming the source that holds the id.

The built-in ids are read where they are declared, never listed again here: the downloads'
registry (download_sources.DOWNLOADS), and the SQL models, which name the rows of each
transcribed source (`'paper_table1' as source_id`) and pick the paper's rows by pattern
(`source_id like 'paper_%'`): an id such a pattern matches is taken as well (in SQL's LIKE, `_`
is any one character and `%` any text), since those models would count its rows as the paper's.

Two added sources cannot share an id: the id is the record's file name in the one folder
raw/indicators/, and a record whose `source_id` is another name is refused
(indicator_sources.read_source). Nor can an added source take the name of the asset that gathers
them all (`values`: indicator_sources.source_ids leaves it out, and the inventory says why).

Belongs here: finding the ids that are taken and the refusal. Stays out: reading sources.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from pipeline.schemas.origin import line_of_field
from pipeline.settings import REPO_ROOT
from pipeline.transforms.problems import Problem
from pipeline.transforms.sources.download_sources import DOWNLOADS
from pipeline.transforms.sources.origins import LoadedRecord

RULE = "a source id of its own (not a built-in source's, nor another added source's)"
_NAMED = re.compile(r"'([a-z][a-z0-9_]*)'\s+as\s+source_id\b", re.IGNORECASE)
_LIKE = re.compile(r"\bsource_id\s+like\s+'([^']*)'", re.IGNORECASE)


@functools.cache
def taken_ids(models_dir: Path) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    """({id: the built-in source that holds it}, ((LIKE pattern, the model that uses it), ...))."""
    ids = {s.source_id: f"the download raw/{s.folder}/{s.stem}.meta.yml" for s in DOWNLOADS}
    patterns: dict[str, str] = {}
    for path in sorted(models_dir.rglob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        shown = str(path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path)
        for source_id in _NAMED.findall(sql):
            ids.setdefault(source_id, f"a built-in source, named in {shown}")
        for pattern in _LIKE.findall(sql):
            patterns.setdefault(pattern, shown)
    return ids, tuple(patterns.items())


def _like(pattern: str) -> re.Pattern:
    """SQL's LIKE as a regular expression (no escape character is used in the models)."""
    parts = {"%": ".*", "_": "."}
    return re.compile("".join(parts.get(c, re.escape(c)) for c in pattern))


def holder(source_id: str, models_dir: Path) -> str | None:
    """What already holds `source_id`, in words, or None when it is free."""
    ids, patterns = taken_ids(models_dir)
    if source_id in ids:
        return ids[source_id]
    for pattern, model in patterns:
        if _like(pattern).fullmatch(source_id):
            return f"the rows {model} picks by source_id like '{pattern}'"
    return None


def identity_problems(loaded: LoadedRecord, source_id: str, models_dir: Path) -> list[Problem]:
    """The added source's id, refused when a built-in source holds it."""
    taken = holder(source_id, models_dir)
    if taken is None:
        return []
    return [
        Problem(
            loaded.shown,
            line_of_field(loaded.text, "source_id"),
            "source_id",
            RULE,
            f"{source_id}: taken by {taken}",
            fix=f"rename {loaded.shown} and set its source_id to an id of its own (README, "
            "'Adding a long-format indicator source')",
        )
    ]
