"""The bad-input corpus (tests/bad_inputs.py) through the real pipeline, one run per case.

A good state is published once for the module. Each case copies the raw files it was built from,
breaks one file, and refreshes into the SAME warehouse. A rejected case must fail on blocking
checks whose messages name the file, row, column and rule, and leave every published byte, every
mart row and the `current` link as they were. A legitimate odd value must be stored verbatim
(exact equality through parameterized queries and in the Parquet export) and, where it is
markup, shown escaped in the report. After each case the warehouse is rolled back to the good
release (README: "point `current` at the previous release"), so cases do not depend on order.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline.defs.resources import WarehouseResource
from pipeline.release import WarehouseLayout
from pipeline.schemas.marts import MARTS
from pipeline.schemas.raw import RAW_BY_NAME
from pipeline.schemas.spec import qualified, quote_ident
from pipeline.transforms.raw_io import origin_path, update_origin_checksum
from tests.bad_inputs import CORPUS, AcceptedVerbatim, Case, Rejected
from tests.conftest import Run, copy_raw, materialize_into

# Tests run offline: the WJP download fails and its (non-blocking) check reports it every run.
EXPECTED_WARNINGS = {("raw_wjp__roli", "snapshot_available")}
DANGEROUS_TAGS = {"script", "img", "iframe", "object", "embed", "link", "base", "form", "image"}
LINK_ATTRIBUTES = {"href", "src", "xlink:href", "action", "srcset", "data"}


@dataclass(frozen=True)
class GoodState:
    run: Run
    release: Path
    files: dict[str, str]  # path under the warehouse -> sha256 (DuckDB file, exports, reports)
    marts: dict[str, list[tuple]]

    @property
    def layout(self) -> WarehouseLayout:
        return self.run.layout


def published_files(layout: WarehouseLayout) -> dict[str, str]:
    """sha256 of everything a reader sees through the public links."""
    paths = [layout.published_db]
    for public in ("exports", "reports"):
        paths += sorted(p for p in (layout.root / public).rglob("*") if p.is_file())
    return {
        str(p.relative_to(layout.root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths
    }


def mart_query(name: str) -> str:
    return f"SELECT * FROM {qualified('marts', name)} ORDER BY ALL"  # noqa: S608 (spec names)


def mart_rows(layout: WarehouseLayout) -> dict[str, list[tuple]]:
    with duckdb.connect(str(layout.published_db), read_only=True) as con:
        return {spec.name: con.execute(mart_query(spec.name)).fetchall() for spec in MARTS}


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> GoodState:
    keep = WarehouseResource(root="unused").keep_releases
    assert keep >= 2, f"keep_releases={keep}: a published case would prune the good release"
    base = tmp_path_factory.mktemp("corpus")
    run = materialize_into(copy_raw(base), base / "warehouse")
    assert run.result.success, "the committed raw files must publish"
    release = run.layout.current_release()
    assert release is not None
    state = GoodState(run, release, published_files(run.layout), mart_rows(run.layout))
    assert set(state.marts) >= {"indicators", "funding", "timeline", "references", "countries"}
    assert all(state.marts.values()), "every mart has rows in the good state"
    assert mart_rows(run.layout) == state.marts, "mart snapshots must be reproducible"
    return state


def roll_back_to(good: GoodState) -> None:
    """Point `current` at the good release again and drop what a case left behind."""
    layout = good.layout
    assert good.release.is_dir(), "the good release was pruned"
    if layout.current_release() != good.release:
        temporary = layout.root / ".current.rollback"
        temporary.unlink(missing_ok=True)
        os.symlink(os.path.relpath(good.release, layout.root), temporary)
        os.replace(temporary, layout.current_link)
    for release in layout.releases():
        if release != good.release:
            shutil.rmtree(release)
    shutil.rmtree(layout.builds_dir, ignore_errors=True)


def apply(case: Case, raw_dir: Path) -> None:
    csv_path = raw_dir / RAW_BY_NAME[case.table].relative_path
    target = csv_path if case.target == "csv" else origin_path(csv_path)
    before = target.read_bytes()
    after = case.mutation(before)
    assert after != before, "the mutation changed nothing"
    target.write_bytes(after)
    if case.rechecksum:
        update_origin_checksum(csv_path)


def failed_checks(run: Run) -> dict[tuple[str, str], str]:
    failed = {}
    for event in run.result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        evaluation = event.event_specific_data
        key = (evaluation.asset_key.to_user_string(), evaluation.check_name)
        if not evaluation.passed and key not in EXPECTED_WARNINGS:
            messages = evaluation.metadata.get("messages")
            failed[key] = messages.value if messages is not None else ""
    return failed


def step_failures(run: Run) -> list[tuple[str, str]]:
    return [
        (event.step_key, event.event_specific_data.error.cls_name)
        for event in run.result.all_events
        if event.event_type_value == "STEP_FAILURE"
    ]


@pytest.mark.parametrize("case", CORPUS, ids=[case.id for case in CORPUS])
def test_bad_input(case: Case, good: GoodState, tmp_path):
    raw_dir = tmp_path / "raw"
    shutil.copytree(good.run.raw_dir, raw_dir)
    apply(case, raw_dir)
    try:
        run = materialize_into(raw_dir, good.run.warehouse_dir)
        if isinstance(case.expect, Rejected):
            assert_rejected(case, run, good)
        else:
            assert_accepted_verbatim(case.expect, run, good)
    finally:
        roll_back_to(good)
    shutil.rmtree(raw_dir)  # the 50 MB case is not kept around after it passed


def assert_rejected(case: Case, run: Run, good: GoodState) -> None:
    expect = case.expect
    assert isinstance(expect, Rejected)
    failed = failed_checks(run)
    listing = "\n".join(f"{key}: {text}" for key, text in failed.items())
    assert not run.result.success, f"the refresh must fail; failed checks:\n{listing}"
    # Refused by the blocking checks of the raw step, not by a crash anywhere.
    assert step_failures(run) == [("raw_tables", "DagsterAssetCheckFailedError")], listing
    expected = {(RAW_BY_NAME[table].asset_name, check) for table, check in case.failing}
    assert set(failed) == expected, f"failed checks differ from {expected}:\n{listing}"
    messages = "\n".join(failed.values())
    for pattern in (expect.message, *expect.also):
        assert re.search(pattern, messages, re.MULTILINE), (
            f"no message matches\n  {pattern}\nmessages:\n{messages}"
        )
    # Nothing was published: the same release, the same bytes, the same rows.
    layout = good.layout
    assert layout.current_release() == good.release
    assert published_files(layout) == good.files
    assert mart_rows(layout) == good.marts
    # The refused build stays aside for inspection, and nothing points into it.
    assert layout.build_for(run.result.run_id).directory.is_dir()


def assert_accepted_verbatim(expect: AcceptedVerbatim, run: Run, good: GoodState) -> None:
    failed = failed_checks(run)
    assert run.result.success, f"a legitimate value must be accepted; failed: {failed}"
    layout = good.layout
    assert layout.current_release() not in (None, good.release), "a new release is published"
    table = qualified("marts", expect.mart)
    key, column = quote_ident(expect.key_column), quote_ident(expect.column)
    by_key = f"SELECT {column} FROM {table} WHERE {key} = ?"  # noqa: S608 (spec names)
    by_value = f"SELECT {key} FROM {table} WHERE {column} = ?"  # noqa: S608 (spec names)
    with duckdb.connect(str(layout.published_db), read_only=True) as con:
        assert con.execute(by_key, [expect.key]).fetchall() == [(expect.value,)]
        assert con.execute(by_value, [expect.value]).fetchall() == [(expect.key,)]
        edited = con.execute(mart_query(expect.mart))
        names = [d[0] for d in edited.description]
        rows = edited.fetchall()
    # Only that cell changed: the mart equals the good one with the cell set, the rest is equal.
    at_key, at_column = names.index(expect.key_column), names.index(expect.column)
    assert sorted(rows, key=repr) == sorted(
        (
            tuple(expect.value if i == at_column and row[at_key] == expect.key else v
                  for i, v in enumerate(row))
            for row in good.marts[expect.mart]
        ),
        key=repr,
    )  # fmt: skip
    others = {k: v for k, v in mart_rows(layout).items() if k != expect.mart}
    assert others == {k: v for k, v in good.marts.items() if k != expect.mart}
    exported = pq.read_table(
        layout.root / "exports" / f"{expect.mart}.parquet",
        columns=[expect.key_column, expect.column],
    ).to_pylist()
    assert {expect.column: expect.value, expect.key_column: expect.key} in exported
    if expect.html_escaped:
        assert_shown_escaped(expect.value, layout.root / "reports")
    assert_markdown_gains_no_link(layout.root / "reports", good.release / "reports")


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_shown_escaped(value: str, reports: Path) -> None:
    page = (reports / "summary.html").read_text(encoding="utf-8")
    assert html.escape(value) in page, "the value is shown, as escaped text"
    for path in sorted(p for p in reports.rglob("*") if p.is_file()):
        assert value not in path.read_text(encoding="utf-8"), f"raw markup in {path.name}"
    parser = _Tags()
    parser.feed(page)
    assert [tag for tag, _ in parser.tags if tag in DANGEROUS_TAGS] == []
    assert [(tag, a) for tag, attrs in parser.tags for a in attrs if a.startswith("on")] == []
    links = [v for _, attrs in parser.tags for a, v in attrs.items() if a in LINK_ATTRIBUTES]
    assert all(v and v.startswith("#") for v in links), f"links out of the page: {links}"


# [text](target) is a link and ![alt](target) an image that a Markdown viewer fetches.
MARKDOWN_TARGET = re.compile(r"(?<!\\)\]\(([^)\s]*)")


def assert_markdown_gains_no_link(reports: Path, good_reports: Path) -> None:
    def targets(folder: Path) -> set[str]:
        return set(MARKDOWN_TARGET.findall((folder / "summary.md").read_text(encoding="utf-8")))

    assert targets(reports) <= targets(good_reports), "data became Markdown links or images"


def test_corpus_is_broad_and_touches_every_raw_file():
    ids = [case.id for case in CORPUS]
    assert len(ids) >= 30 and len(set(ids)) == len(ids)
    rejected = {case.table for case in CORPUS if isinstance(case.expect, Rejected)}
    assert rejected == set(RAW_BY_NAME), f"no rejected case for {set(RAW_BY_NAME) - rejected}"
    accepted = [case for case in CORPUS if isinstance(case.expect, AcceptedVerbatim)]
    assert accepted and any(case.expect.html_escaped for case in accepted)
    assert {case.target for case in CORPUS} == {"csv", "origin"}
    assert any(not case.rechecksum and case.target == "csv" for case in CORPUS)
