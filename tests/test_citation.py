"""CITATION.cff: valid Citation File Format 1.2.0, checked against the format's own JSON Schema
(tests/cff/schema-1.2.0.json, whose origin is in tests/cff/ORIGIN.md) with the jsonschema of the
dev lock, as cffconvert validates it; and nothing in it that another file already says can
drift: its version is pyproject.toml's, and each pinned download's url and commit are those of
its origin record."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

from pipeline.schemas.origin import DOWNLOAD
from pipeline.settings import REPO_ROOT
from pipeline.transforms.sources.download_sources import DOWNLOADS
from pipeline.transforms.sources.origins import load_record

CFF = REPO_ROOT / "CITATION.cff"
SCHEMA = Path(__file__).parent / "cff" / "schema-1.2.0.json"
ORIGIN = SCHEMA.with_name("ORIGIN.md")


class CffLoader(yaml.SafeLoader):
    """YAML as the schema expects it: a date stays the string it is written as (the schema's
    note to implementers; cffconvert loads it the same way)."""


CffLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)


def load(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=CffLoader)


def problems(path: Path) -> list[str]:
    """What the CFF 1.2.0 schema finds wrong in a citation file, one line each with its place."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
    return [
        f"{path.name}: {'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(load(path)), key=str)
    ]


@pytest.fixture(scope="module")
def citation() -> dict:
    return load(CFF)


def test_the_schema_is_the_one_its_origin_note_names():
    note = ORIGIN.read_text(encoding="utf-8")
    pinned = re.search(r"sha256 of `schema-1\.2\.0\.json`:\s+`([0-9a-f]{64})`", note)
    assert pinned, f"{ORIGIN} names no sha256 of {SCHEMA.name}"
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == pinned.group(1)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"


def test_the_citation_file_is_valid_cff_1_2_0(citation):
    assert citation["cff-version"] == "1.2.0"
    assert problems(CFF) == []


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (("  - type: article\n", "  - \n"), "references/0: 'type' is a required property"),
        (("cff-version: 1.2.0\n", "cff-version: 1.1.0\n"), "cff-version: '1.1.0' does not match"),
        (("type: software\n", "type: software\ndate-released: 2024-13-01\n"), "date-released"),
    ],
    ids=["reference-without-type", "another-version", "impossible-date"],
)
def test_a_broken_copy_is_refused_naming_the_place(tmp_path, change, said):
    """The validator really validates: each break is refused, and the line says where."""
    text = CFF.read_text(encoding="utf-8")
    old, new = change
    assert old in text
    broken = tmp_path / "CITATION.cff"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    found = problems(broken)
    assert any(said in line for line in found), found


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
