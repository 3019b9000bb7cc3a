"""The README and docs/ say true things about the code: every file they name exists, every test
they cite as proof exists, the README lists every mart, and its count of bad-input faults is the
corpus's own; and every README section a message of the code cites exists. A rename or a new mart
fails here instead of leaving the docs stale."""

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


# A message (or docstring) citing a section of the README: `(README, 'Sources and provenance')`,
# `see the README, "The Dagster UI"`, `the README's "Guarantees" section`.
README_CITATION = re.compile(r"""README(?:'s)?,?\s+(?:section\s+)?(["'])((?:(?!\1).)+?)\1""")
CITING = sorted(
    p
    for folder in ("pipeline", "tests", "benchmarks")
    for p in (REPO_ROOT / folder).rglob("*.py")
    if p.resolve() != Path(__file__).resolve()
)


def readme_citations() -> list[tuple[str, str]]:
    """(file:line, section) of every README section cited in the code and the tests."""
    found = []
    for path in CITING:
        text = path.read_text(encoding="utf-8")
        for match in README_CITATION.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{path.relative_to(REPO_ROOT)}:{line}", match.group(2)))
    return found


def test_every_readme_section_a_message_cites_exists():
    """A heading is cited by its text, or by the part before its parenthesis ('Adding a
    long-format indicator source' for '... source (V-Dem's full dataset, ...)')."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#+ (.+?)\s*$", readme, re.MULTILINE)
    cited = readme_citations()
    known = {"Sources and provenance", "Adding a long-format indicator source"}
    assert known <= {section for _, section in cited}, f"the pattern finds the messages': {cited}"
    missing = [
        (where, section)
        for where, section in cited
        if not any(h == section or h.startswith(f"{section} (") for h in headings)
    ]
    assert missing == [], f"messages cite README sections that do not exist: {missing}"
