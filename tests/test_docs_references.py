"""The README and docs/ say true things about the code: every file, function, class and module
they name exists, every test they cite as proof exists, the README's count of bad-input faults is
the corpus's own; and every README section a message of the code cites exists. A rename fails
here instead of leaving the docs stale. (The README's table of marts and its figures are
generated: tests/test_docs_tables.py.)"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from pipeline.schemas.raw import RAW_BY_NAME
from pipeline.settings import REPO_ROOT
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


def test_the_readmes_fault_count_is_the_corpus():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"\((\d+) faults over all (\d+) raw files", readme)
    assert found, "the README states the size of the bad-input corpus"
    rejected = sum(isinstance(case.expect, Rejected) for case in CORPUS)
    assert (int(found.group(1)), int(found.group(2))) == (rejected, len(RAW_BY_NAME))


# Code a doc names: a call (`open_store(settings)`, `Machine.reader()`), a class (`ReleaseStore`)
# or a module (`python -m pipeline.docs_tables`), each in backticks. A URL is no call.
CALL = re.compile(r"^([A-Za-z_][\w.]*)\(")
CLASS = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+$")
MODULE = re.compile(r"\bpipeline(?:\.\w+)+")
# Names of other tools' code the docs cite, that neither this project nor the packages in its
# locks define.
ELSEWHERE = {
    "K8sRunLauncher": "dagster-k8s, not in the locks (docs/scaling.md says so)",
    "install.packages": "R's package installer (docs/queries.md)",
}


# A module's path followed by the names it defines, in parentheses: `pipeline/x.py` (f, g).
PATH_AND_NAMES = re.compile(r"`((?:pipeline|tests|benchmarks)/[\w/]+\.py)`\s*\(([^)]*)\)")
IDENTIFIER = re.compile(r"`([A-Za-z_]\w*)`|\b([A-Za-z]\w*_\w*)\b")  # in backticks, or a_name


def code_names(doc: Path) -> set[str]:
    """The functions, classes and modules `doc` names: in backticks, or as `path.py` (names)."""
    text = doc.read_text(encoding="utf-8")
    names = {
        f"{path}:{name}"
        for path, listed in PATH_AND_NAMES.findall(text)
        for name in map("".join, IDENTIFIER.findall(listed))
    }
    for span in re.findall(r"`([^`\n]+)`", text):
        if "://" in span:
            continue
        if call := CALL.match(span):
            names.add(call.group(1))
        if CLASS.match(span):
            names.add(span)
        names.update(MODULE.findall(span))
    return names


def project_definitions() -> tuple[set[str], dict[str, set[str]]]:
    """(every function, class and module-level name defined in pipeline/, tests/ and
    benchmarks/; each class's attributes, by class name)."""
    import ast

    names, members = set(), {}
    for folder in ("pipeline", "tests", "benchmarks"):
        for path in (REPO_ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    names.add(node.name)
                if isinstance(node, ast.ClassDef):
                    members.setdefault(node.name, set()).update(
                        n.name for n in node.body if isinstance(n, ast.FunctionDef)
                    )
                if isinstance(node, ast.Assign):
                    names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names, members


def known_elsewhere() -> set[str]:
    """DuckDB's functions and types, and Dagster's public names, as the installed ones have
    them (lower case for DuckDB's)."""
    import dagster
    import duckdb

    with duckdb.connect() as con:
        sql = {n for (n,) in con.execute("SELECT function_name FROM duckdb_functions()").fetchall()}
        sql |= {n for (n,) in con.execute("SELECT type_name FROM duckdb_types()").fetchall()}
    return {n.lower() for n in sql} | set(dir(dagster)) | set(ELSEWHERE)


def defined_in(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8")) if path.is_file() else ast.Module([], [])
    return {
        target.id if isinstance(node, ast.Assign) else node.name
        for node in tree.body
        for target in (node.targets if isinstance(node, ast.Assign) else [node])
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
        or (isinstance(node, ast.Assign) and isinstance(target, ast.Name))
    }


def exists(name: str, names: set[str], members: dict[str, set[str]], elsewhere: set[str]) -> bool:
    if ".py:" in name:  # a name listed after its module's path
        path, defined = name.split(":", 1)
        return defined in defined_in(REPO_ROOT / path)
    if name.startswith("pipeline."):
        try:
            return importlib.util.find_spec(name) is not None
        except ModuleNotFoundError:  # a parent package is missing
            return False
    if "." in name and name.split(".")[0] in members:  # Class.method
        owner, attribute = name.split(".", 1)
        return attribute in members[owner]
    return name in names or name in elsewhere or name.lower() in elsewhere


def test_every_function_class_and_module_a_doc_names_exists():
    names, members = project_definitions()
    elsewhere = known_elsewhere()
    missing = [
        f"{doc.name}: {name}"
        for doc in DOCS
        if doc.name != "data-dictionary.md"  # generated from the specs
        for name in sorted(code_names(doc))
        if not exists(name, names, members, elsewhere)
    ]
    assert missing == [], f"docs name code that does not exist: {missing}"


def test_a_name_that_does_not_exist_is_found(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(
        "Call `open_store(settings)`, `publish_release(x)` and `Settings.resolve()`, read "
        "`ReleaseStore`, `RemoteStore`, run `python -m pipeline.docs_tables` or "
        "`python -m pipeline.nowhere` or `pipeline.no.where`; `http(s)://host` is a URL. "
        "`pipeline/transforms/duck.py` (create_typed_table, build_table_from_sql).",
        encoding="utf-8",
    )
    names, members = project_definitions()
    elsewhere = known_elsewhere()
    found = code_names(doc)
    assert "http" not in found
    assert {n for n in found if not exists(n, names, members, elsewhere)} == {
        "publish_release",
        "RemoteStore",
        "pipeline.nowhere",
        "pipeline.no.where",
        "pipeline/transforms/duck.py:build_table_from_sql",
    }


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
