"""Validation's counting queries kept for the next process (transforms/counting_queries.py):
a new process (the module's memory emptied) reads them from the cache and counts with them,
without making them again; a file that fails its sha256 is not used, and is written anew; a
folder that cannot be written leaves the refresh alone."""

from __future__ import annotations

import json

import pytest

from pipeline.transforms import counting_queries
from pipeline.transforms.validation import validate_relation
from tests.harness import memory_db
from tests.test_rules import TINY, tiny_table


@pytest.fixture
def new_process():
    """The module as a new process has it: nothing kept, no file in use."""
    saved = dict(counting_queries._KEPT)
    counting_queries._KEPT.clear()
    counting_queries._FILE[0], counting_queries._SAVED[0] = None, 0
    yield
    counting_queries._KEPT.update(saved)
    counting_queries._FILE[0], counting_queries._SAVED[0] = None, 0


def kept_file(cache):
    return cache / counting_queries.FOLDER / f"{counting_queries.code_version()}.json"


def failing_rules(con, relation) -> list[str]:
    return sorted(p.rule for p in validate_relation(con, TINY, relation, "t", line="line"))


def test_a_new_process_counts_with_the_kept_query(tmp_path, new_process):
    con = memory_db()
    relation = tiny_table(con, [(2, 1, "x" * 21), (3, 2, "fine")])
    assert counting_queries.use(tmp_path) is None
    made = failing_rules(con, relation)
    assert made == ["at most 20 characters"]
    counting_queries.save()
    document = json.loads(kept_file(tmp_path).read_text())
    assert document["code"] == counting_queries.code_version() and len(document["queries"]) == 1
    # The next process: what it reads is what it counts with. A kept query that counts a
    # failure of the first check on every row, with a valid checksum, proves the file is used.
    ((key, (before, after, checks)),) = document["queries"].items()
    forced = after.replace(', 0) AS "c0"', ', 0) + 1 AS "c0"', 1)
    assert forced != after
    document["queries"][key] = [before, forced, checks]
    document["sha256"] = counting_queries._checksum(document["queries"])
    kept_file(tmp_path).write_text(json.dumps(document))
    counting_queries._KEPT.clear()
    counting_queries._FILE[0] = None
    assert counting_queries.use(tmp_path) is None
    assert failing_rules(con, relation) == sorted([checks[0][1], *made])


def test_a_kept_file_that_fails_its_checksum_is_not_used_and_is_written_anew(tmp_path, new_process):
    con = memory_db()
    relation = tiny_table(con, [(2, 1, "x" * 21)])
    counting_queries.use(tmp_path)
    expected = failing_rules(con, relation)
    counting_queries.save()
    path = kept_file(tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit flipped inside a query
    path.write_bytes(bytes(data))
    counting_queries._KEPT.clear()
    counting_queries._FILE[0] = None
    note = counting_queries.use(tmp_path)
    assert note is not None and str(path) in note and "made again" in note
    assert failing_rules(con, relation) == expected  # made again, from the checks
    counting_queries.save()
    document = json.loads(path.read_text())
    assert document["sha256"] == counting_queries._checksum(document["queries"])


def test_a_cache_that_cannot_be_written_leaves_validation_alone(tmp_path, new_process):
    """A cache folder that cannot be made (its parent is a file, as a full disk or a read-only
    mount would refuse it): validation counts as before, and saving says nothing."""
    con = memory_db()
    relation = tiny_table(con, [(2, 1, "fine")])
    blocked = tmp_path / "a_file"
    blocked.write_text("not a folder")
    assert "its queries are made again" in counting_queries.use(blocked)  # not a folder
    assert failing_rules(con, relation) == []
    counting_queries.save()
    assert blocked.read_text() == "not a folder"


def test_a_kept_query_whose_checks_differ_from_the_schemas_is_made_again(tmp_path, new_process):
    """Checks named otherwise than the schema names them (not this code's): when a count is
    not 0, the query is made again from the schema, and its counts are the ones reported."""
    con = memory_db()
    relation = tiny_table(con, [(2, 1, "x" * 21)])
    counting_queries.use(tmp_path)
    made = failing_rules(con, relation)
    counting_queries.save()
    document = json.loads(kept_file(tmp_path).read_text())
    ((key, (before, after, checks)),) = document["queries"].items()
    renamed = [[column, f"{name} (renamed)"] for column, name in checks]
    document["queries"][key] = [before, after.replace(', 0) AS "c0"', ', 0) + 1 AS "c0"'), renamed]
    document["sha256"] = counting_queries._checksum(document["queries"])
    kept_file(tmp_path).write_text(json.dumps(document))
    counting_queries._KEPT.clear()
    counting_queries._FILE[0] = None
    counting_queries.use(tmp_path)
    assert failing_rules(con, relation) == made
