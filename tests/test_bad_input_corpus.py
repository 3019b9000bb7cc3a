"""The bad-input corpus (tests/bad_inputs.py).

Every case at unit level: a copy of raw/ is broken one way and read by the sources step on an
in-memory DuckDB. A rejected case must fail exactly the expected checks, with a message naming
the file, the line, the column and the rule. An accepted (odd but legitimate) value must reach
its mart verbatim, its Parquet export verbatim, and the report escaped.

Then the graph's promise, once each, through the real Dagster run into a published warehouse: a
refused file publishes nothing (every published byte, row and the `current` link as they were),
and the accepted values are published.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow.parquet as pq
import pytest

from pipeline.lineage import build_graph
from pipeline.release import WarehouseLayout
from pipeline.schemas.raw import RAW_BY_NAME, RAW_TABLES
from pipeline.schemas.spec import qualified, quote_ident
from pipeline.settings import MODELS_DIR, REPO_ROOT
from pipeline.transforms.duck import ordered_select
from pipeline.transforms.publish.export import copy_parquet
from pipeline.transforms.report import build_report
from pipeline.transforms.report.load_inputs import load_report_inputs
from pipeline.transforms.sources.download_sources import DOWNLOADS
from pipeline.transforms.sources.raw_relations import related_tables
from tests.bad_inputs import ACCEPTED, CORPUS, REJECTED, Case, apply
from tests.harness import Run, copy_raw, materialize, run_steps

DANGEROUS_TAGS = {"script", "img", "iframe", "object", "embed", "link", "base", "form", "image"}
LINK_ATTRIBUTES = {"href", "src", "xlink:href", "action", "srcset", "data"}
MARTS = {m.name: m for m in build_graph(REPO_ROOT / "raw", MODELS_DIR).marts}


def assert_refused_as_expected(case: Case, failed: dict[tuple[str, str], str]) -> None:
    listing = "\n".join(f"{key}: {text}" for key, text in failed.items())
    assert set(failed) == case.failing, f"failed checks differ from {case.failing}:\n{listing}"
    messages = "\n".join(failed.values())
    for pattern in (case.expect.message, *case.expect.also):
        assert re.search(pattern, messages, re.MULTILINE), (
            f"no message matches\n  {pattern}\nmessages:\n{messages}"
        )


# The current release was built from the committed pin: a changed pin is compared with it.
COMMITTED_PIN = re.search(
    r"^sha256: (\w+)", (REPO_ROOT / "raw/wjp/roli.meta.yml").read_text(), re.M
).group(1)


@pytest.mark.parametrize("case", REJECTED, ids=[c.id for c in REJECTED])
def test_rejected_case_fails_its_checks_naming_file_line_column_rule(case: Case, tmp_path):
    """Read with the case's file and every file its rules relate to, or that the failing assets
    read (an added source: the country lists); the other committed files pass every rule
    (test_raw_rules.py). The downloads only for a case on no transcription."""
    raw_dir = copy_raw(tmp_path)
    apply(case, raw_dir)
    related = related_tables(case.table) if case.table else set()
    read = build_graph(raw_dir, MODELS_DIR).needed_by({asset for asset, _ in case.failing})
    tables = [t for t in RAW_TABLES if t.name in related or t.asset_name in read]
    pins = {"wjp_roli": COMMITTED_PIN}
    fetch = DOWNLOADS if case.table is None else ()
    steps = run_steps(
        raw_dir, tmp_path, models=False, published_pins=pins, tables=tables, fetch=fetch
    )
    assert_refused_as_expected(case, steps.failed())


@pytest.fixture(scope="module")
def accepted(tmp_path_factory):
    """Every accepted value at once, through sources, models, export and report."""
    base = tmp_path_factory.mktemp("accepted")
    raw_dir = copy_raw(base)
    for case in ACCEPTED:
        apply(case, raw_dir)
    steps = run_steps(raw_dir, base)
    assert steps.failed() == {}, "legitimate values must be accepted"
    report = build_report(load_report_inputs(steps.con, MARTS))
    reports = base / "reports"
    reports.mkdir()
    (reports / "summary.html").write_text(report.html, encoding="utf-8")
    (reports / "summary.md").write_text(report.markdown, encoding="utf-8")
    return steps, base, report


@pytest.mark.parametrize("case", ACCEPTED, ids=[c.id for c in ACCEPTED])
def test_accepted_value_is_stored_exported_and_shown_verbatim(case: Case, accepted):
    steps, base, report = accepted
    expect = case.expect
    table = qualified("marts", expect.mart)
    key, column = quote_ident(expect.key_column), quote_ident(expect.column)
    by_key = f"SELECT {column} FROM {table} WHERE {key} = ?"  # noqa: S608 (spec names)
    by_value = f"SELECT {key} FROM {table} WHERE {column} = ?"  # noqa: S608 (spec names)
    assert steps.rows(by_key, [expect.key]) == [(expect.value,)]
    assert steps.rows(by_value, [expect.value]) == [(expect.key,)]
    mart = MARTS[expect.mart]
    path = base / f"{expect.mart}.parquet"
    copy_parquet(steps.con, ordered_select(mart.quoted, mart.spec), mart.spec, path, {})
    exported = pq.read_table(path, columns=[expect.key_column, expect.column]).to_pylist()
    assert {expect.column: expect.value, expect.key_column: expect.key} in exported
    if expect.html_escaped:
        assert_shown_escaped(expect.value, base / "reports")
    assert_markdown_has_no_link_from_data(report.markdown, expect.value)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_shown_escaped(value: str, reports: Path) -> None:
    page = (reports / "summary.html").read_text(encoding="utf-8")
    # shown as escaped text (any escaping: Jinja writes ' as &#39;, html.escape as &#x27;)
    assert value in html.unescape(page), "the value is shown, as escaped text"
    for path in sorted(p for p in reports.rglob("*") if p.is_file()):
        assert value not in path.read_text(encoding="utf-8"), f"raw markup in {path.name}"
    parser = _Tags()
    parser.feed(page)
    assert [tag for tag, _ in parser.tags if tag in DANGEROUS_TAGS] == []
    assert [(tag, a) for tag, attrs in parser.tags for a in attrs if a.startswith("on")] == []
    links = [v for _, attrs in parser.tags for a, v in attrs.items() if a in LINK_ATTRIBUTES]
    # on the page, or an http(s) URL of a source (the report links its sources)
    assert all(v and v.startswith(("#", "http://", "https://")) for v in links), links
    assert not [v for v in links if value in v], f"the value became a link: {links}"
    loads = LINK_ATTRIBUTES - {"href"}
    resources = [(t, a) for t, attrs in parser.tags for a in attrs if a in loads]
    assert resources == [], f"resources loaded from the data: {resources}"


# [text](target) is a link and ![alt](target) an image that a Markdown viewer fetches.
MARKDOWN_TARGET = re.compile(r"(?<!\\)\]\(([^)\s]*)")


def assert_markdown_has_no_link_from_data(markdown: str, value: str) -> None:
    targets = set(MARKDOWN_TARGET.findall(markdown))
    assert not [t for t in targets if t and t in value], f"data became Markdown links: {targets}"


def test_corpus_is_broad_and_touches_every_raw_file():
    ids = [case.id for case in CORPUS]
    assert len(ids) >= 50 and len(set(ids)) == len(ids)
    rejected = {case.table for case in REJECTED if case.table}
    assert rejected == set(RAW_BY_NAME), f"no rejected case for {set(RAW_BY_NAME) - rejected}"
    assert ACCEPTED and any(case.expect.html_escaped for case in ACCEPTED)
    assert {case.target for case in CORPUS} == {"csv", "origin", "fs"}
    assert any(not case.rechecksum and case.target == "csv" for case in CORPUS)


# --- the graph's promise, end to end ----------------------------------------------------------


@dataclass(frozen=True)
class GoodState:
    run: Run
    release: Path
    files: dict[str, str]  # path under the warehouse -> sha256 (DuckDB file, exports, reports)


def published_files(layout: WarehouseLayout) -> dict[str, str]:
    """sha256 of everything a reader sees through the public links."""
    paths = [layout.published_db]
    for public in ("exports", "reports"):
        paths += sorted(p for p in (layout.root / public).rglob("*") if p.is_file())
    return {
        str(p.relative_to(layout.root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths
    }


@pytest.fixture
def good(published) -> GoodState:
    """A published warehouse of the test's own, and what a reader sees of it."""
    layout = published.layout
    return GoodState(published, layout.current_release(), published_files(layout))


def test_a_refused_file_publishes_nothing_and_keeps_its_build_aside(good: GoodState):
    case = next(c for c in REJECTED if c.id == "table2-rank-above-n-ranked")
    raw_dir = good.run.raw_dir
    apply(case, raw_dir)
    run = materialize(raw_dir, good.run.warehouse_dir.parent)
    assert not run.result.success
    failed = {k: v for k, v in run.failed_checks().items() if k[1] != "snapshot_available"}
    assert_refused_as_expected(case, failed)
    # Materialized means published: the refused run records its failed checks and no asset.
    assert run.result.get_asset_materialization_events() == []
    (failure,) = run.result.get_step_failure_events()
    assert "raw_paper__table2_kazakhstan_ranks" in failure.step_failure_data.error.message
    # The UI shows the failure cases: where and why, as a table and as text.
    (evaluation,) = [
        e
        for e in run.result.get_asset_check_evaluations()
        if not e.passed and e.check_name == "rows_follow_schema"
    ]
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR and evaluation.blocking
    cases = evaluation.metadata["failure_cases"]
    assert isinstance(cases, dg.TableMetadataValue)
    assert [c.name for c in cases.schema.columns] == ["file", "line", "column", "rule", "value"]
    assert [r.data for r in cases.records] == [
        {
            "file": "raw/paper/table2_kazakhstan_ranks.csv",
            "line": "3",
            "column": "rank",
            "rule": "rank <= n_ranked",
            "value": "'43'",
        }
    ]
    assert evaluation.metadata["failure_count"].value == 1
    layout = good.run.layout
    assert layout.current_release() == good.release
    assert published_files(layout) == good.files
    assert layout.build_for(run.result.run_id).directory.is_dir(), "kept for inspection"
    with duckdb.connect(str(layout.published_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM marts.indicators").fetchall()[0][0] > 0


def test_accepted_values_are_published(offline_release: Run):
    """The session's offline release is built with every accepted value (conftest.py)."""
    run = offline_release
    assert run.result.success, run.failed_checks()
    for case in ACCEPTED:
        expect = case.expect
        table, key = qualified("marts", expect.mart), quote_ident(expect.key_column)
        query = f"SELECT {quote_ident(expect.column)} FROM {table} WHERE {key} = ?"  # noqa: S608
        assert run.query(query, [expect.key]) == [(expect.value,)]
