"""The counting queries of validation (transforms/validation.py), kept for the next process.

Validation counts the failures of every check of a table in one query, made by turning the
checks' narwhals expressions into DuckDB's SQL. Made anew, that took most of a small table's
validation: a command-line refresh (a new process each time) spent 1.2 s counting its 40 tables
with queries made anew, against 0.35 s with the queries kept (`python -m pipeline.cli refresh
--force` twice in one process, timing `_failure_counts`, 2026-12-07). So each query is kept in
memory for the process, and in `<cache>/counting_queries/<code>.json` for the next one: `<code>`
is the version of the code that makes the queries (validation.py, the rules and every module
they import, with the versions of narwhals, pandera and DuckDB), so other code never reads them.
The file holds its own sha256, verified when it is read; a file that fails is not used (the
queries are made again and the file written anew). A query is found by its spec and the
relation's columns and types; with it are kept the column and name of each check it counts, in
order, so that a table whose every count is 0 is validated without building its schema's checks
at all.

Belongs here: keeping and finding those queries. Stays out: making and running them
(validation.py).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from pipeline.transforms.files import sha256_bytes, write_atomically
from pipeline.version import code_of, digest

FOLDER = "counting_queries"
VALIDATION = "pipeline.transforms.validation"


@dataclass(frozen=True)
class Kept:
    """A counting query around its relation (`before` FROM <relation> `after`), and the
    (column, name) of each check it counts, in the order of its columns."""

    before: str
    after: str
    checks: tuple[tuple[str | None, str], ...]


_KEPT: dict[str, Kept] = {}
_FILE: list[Path | None] = [None]  # the file of the cache in use
_SAVED: list[int] = [0]  # how many queries that file holds


@functools.cache
def code_version() -> str:
    """The version of the code this process makes counting queries with (read once: the code
    a process runs is the code it loaded)."""
    return digest(code_of([VALIDATION]))


def key(spec, columns: tuple[str, ...], types: tuple[str, ...]) -> str:
    """Where a spec's query over a relation of these columns and types is kept (a spec is
    frozen data: its text names every field, rule and key)."""
    return digest([repr(spec), *columns, "--", *types], length=32)


def find(found_key: str) -> Kept | None:
    return _KEPT.get(found_key)


def keep(found_key: str, kept: Kept) -> None:
    _KEPT[found_key] = kept


def use(cache_dir: Path) -> str | None:
    """Read the queries kept in `cache_dir` by this code, and keep new ones there from now on;
    a note when the file failed its check (it is then written anew), else None."""
    path = cache_dir / FOLDER / f"{code_version()}.json"
    if _FILE[0] == path:
        return None
    _FILE[0], _SAVED[0] = path, 0
    try:
        document = json.loads(path.read_bytes())
        queries = document["queries"]
        if not isinstance(queries, dict) or document.get("sha256") != _checksum(queries):
            raise ValueError("its sha256 does not match its queries")
        read = {
            k: Kept(b, a, tuple((c, n) for c, n in checks)) for k, (b, a, checks) in queries.items()
        }
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as err:
        return f"{path}: not used ({err}); its queries are made again"
    for found_key, kept in read.items():
        _KEPT.setdefault(found_key, kept)
    _SAVED[0] = len(read)
    return None


def save() -> None:
    """Write the queries of this process to the file in use, when it lacks some. A cache only:
    a folder that cannot be written (a full disk) leaves it as it was."""
    path = _FILE[0]
    if path is None or len(_KEPT) <= _SAVED[0]:
        return
    queries = {
        k: [v.before, v.after, [list(c) for c in v.checks]] for k, v in sorted(_KEPT.items())
    }
    document = {"code": code_version(), "queries": queries, "sha256": _checksum(queries)}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(document, sort_keys=True).encode("utf-8"))
    except OSError:
        return
    _SAVED[0] = len(queries)


def _checksum(queries: dict) -> str:
    return sha256_bytes(json.dumps(queries, sort_keys=True).encode("utf-8"))
