"""CITATION.cff: valid Citation File Format 1.2.0 by the real cffconvert (from its own venv,
.venv-tools, which `make test` creates: it needs jsonschema<4, the dev tools need >=4.20), and
nothing in it that another file already says can drift: its version is pyproject.toml's, and
each pinned download's url and commit are those of its origin record."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from pipeline.schemas.origin import DOWNLOAD
from pipeline.settings import REPO_ROOT
from pipeline.transforms.download_sources import DOWNLOADS
from pipeline.transforms.origins import load_record
from tests.harness import require_tool

CFF = REPO_ROOT / "CITATION.cff"
CFFCONVERT = REPO_ROOT / ".venv-tools" / "bin" / "cffconvert"


@pytest.fixture(scope="module")
def cffconvert() -> Path:
    """The tools venv's cffconvert, or a failure that says the one command to run."""
    return require_tool(
        CFFCONVERT,
        "CITATION.cff is validated with the real cffconvert, in its own venv. "
        "Run: make tools  (make test does it first)",
    )


@pytest.fixture(scope="module")
def citation() -> dict:
    return yaml.safe_load(CFF.read_text(encoding="utf-8"))


def validate(cffconvert: Path, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(cffconvert), "--validate", "-i", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cffconvert_finds_the_citation_file_valid(cffconvert):
    result = validate(cffconvert, CFF)
    tail = "\n".join((result.stdout + result.stderr).splitlines()[-8:])
    assert result.returncode == 0, f"cffconvert refuses CITATION.cff:\n{tail}"
    assert "valid according to schema version 1.2.0" in result.stdout


def test_cffconvert_refuses_a_broken_copy(cffconvert, tmp_path):
    """The validator really validates: a reference without its type is refused."""
    text = CFF.read_text(encoding="utf-8")
    assert "  - type: article\n" in text
    broken = tmp_path / "CITATION.cff"
    broken.write_text(text.replace("  - type: article\n", "  - \n", 1), encoding="utf-8")
    result = validate(cffconvert, broken)
    assert result.returncode != 0
    assert "'type' is a required property" in result.stdout + result.stderr


def test_version_is_pyprojects(citation):
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert str(citation["version"]) == pyproject["project"]["version"]


@pytest.mark.parametrize("source", DOWNLOADS, ids=[s.source_id for s in DOWNLOADS])
def test_each_download_is_cited_with_its_pinned_url_and_commit(source, citation):
    raw_dir = REPO_ROOT / "raw"
    loaded = load_record(source.record_path(raw_dir), raw_dir, DOWNLOAD)
    assert not loaded.problems, loaded.problems
    record = loaded.record
    repository = f"https://github.com/{record.repository}"
    cited = [r for r in citation["references"] if r.get("repository-code") == repository]
    assert len(cited) == 1, f"CITATION.cff cites {repository} {len(cited)} times, expected once"
    assert cited[0]["url"] == record.url, f"url differs from {source.record_path(raw_dir)}"
    assert cited[0]["commit"] == record.commit, "commit differs from its origin record"


def test_the_paper_is_cited_by_the_title_and_authors_it_prints(citation, seed_text):
    (paper,) = [r for r in citation["references"] if r["type"] == "article"]
    title = " ".join(paper["title"].split())
    assert title in " ".join(seed_text.split())
    about = seed_text[seed_text.index("About the Authors") :]
    for author in paper["authors"]:
        assert f"{author['given-names']} {author['family-names']}" in about
    # Nothing the text does not print.
    assert not {"doi", "journal", "year", "volume", "pages", "issue"} & set(paper)
