"""The README and docs/ say true things about the code: every file they name exists, every test
they cite as proof exists, the README lists every mart, and its count of bad-input faults is the
corpus's own. A rename or a new mart fails here instead of leaving the docs stale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.lineage import build_graph
from pipeline.schemas.raw import RAW_BY_NAME
from pipeline.settings import MODELS_DIR, REPO_ROOT
from tests.bad_inputs import CORPUS, Rejected

DOCS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").glob("*.md"))]
PATH = re.compile(r"`((?:pipeline|tests|raw|docs|benchmarks|\.ci)/[^`\s]+?)`")
TEST = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def mentioned(pattern: re.Pattern, doc: Path) -> list[tuple]:
    return pattern.findall(doc.read_text(encoding="utf-8"))


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_every_path_a_doc_names_exists(doc):
    missing = []
    for path in mentioned(PATH, doc):
        path = path.split("::")[0].rstrip(".,;:)")
        if any(c in path for c in "<*{") or "." not in path.rsplit("/", 1)[-1]:
            continue  # a pattern, a folder, or a name that only looks like a path (a run tag)
        if not (REPO_ROOT / path).exists():
            missing.append(path)
    assert missing == [], f"{doc.name} names files that do not exist: {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=[d.name for d in DOCS])
def test_every_test_a_doc_cites_exists(doc):
    missing = [
        f"{path}::{name}"
        for path, name in mentioned(TEST, doc)
        if not re.search(
            rf"^def {name}\(", (REPO_ROOT / path).read_text(encoding="utf-8"), re.MULTILINE
        )
    ]
    assert missing == [], f"{doc.name} cites tests that do not exist: {missing}"


def test_the_readme_lists_every_mart():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    marts = {m.name for m in build_graph(REPO_ROOT / "raw", MODELS_DIR).marts}
    assert {m for m in marts if f"`marts.{m}`" not in readme} == set()


def test_the_readmes_fault_count_is_the_corpus():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"\((\d+) faults over all (\d+) raw files", readme)
    assert found, "the README states the size of the bad-input corpus"
    rejected = sum(isinstance(case.expect, Rejected) for case in CORPUS)
    assert (int(found.group(1)), int(found.group(2))) == (rejected, len(RAW_BY_NAME))


def test_the_readmes_marts_table_says_which_marts_are_views():
    """The README marks a mart "(view)" exactly when its model is built as a view."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    marked = dict(re.findall(r"^\| `marts\.(\w+)`( \(view\))? \|", readme, re.MULTILINE))
    marts = build_graph(REPO_ROOT / "raw", MODELS_DIR).marts
    views = {m.name for m in marts if m.materialized == "view"}
    assert {name for name, view in marked.items() if view} == views
    assert set(marked) == {m.name for m in marts}
