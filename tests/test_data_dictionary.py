"""docs/data-dictionary.md: generated from the table specs, complete (every mart and raw table
with a spec, every column), deterministic, and never stale: when a spec changes, a test fails
and says the one command that regenerates it."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from pipeline import cli
from pipeline.lineage import build_graph
from pipeline.schemas.raw import RAW_TABLES
from pipeline.settings import MODELS_DIR, REPO_ROOT
from pipeline.transforms.publish import data_dictionary as dd
from pipeline.transforms.sources.download_sources import DOWNLOADS

RAW_DIR = REPO_ROOT / "raw"


@pytest.fixture(scope="module")
def generated() -> str:
    return dd.data_dictionary(MODELS_DIR)


def test_the_committed_dictionary_is_current(generated):
    committed = dd.DOC_PATH.read_text(encoding="utf-8") if dd.DOC_PATH.is_file() else ""
    assert committed == generated, (
        "docs/data-dictionary.md is stale: a table spec changed (pipeline/schemas/, "
        f"pipeline/sql/*/*.yml). Regenerate it: {dd.REGENERATE}"
    )


def test_every_mart_and_raw_table_and_column_is_in_it(generated):
    tables = [(m.relation, m.spec) for m in build_graph(RAW_DIR, MODELS_DIR).marts]
    tables += [(f"raw.{t.name}", t.spec) for t in RAW_TABLES]
    tables += [(f"raw.{s.name}", s) for d in DOWNLOADS for s in (*d.tables, d.status)]
    for relation, spec in tables:
        start = generated.find(f"\n### {relation}\n")
        assert start >= 0, f"{relation} is not in the dictionary"
        end = generated.find("\n### ", start + 1)
        section = generated[start : end if end > 0 else None]
        assert " ".join(spec.description.split()) in section, relation
        for field in spec.fields:
            assert f"| `{field.name}` | {field.duckdb_type} | " in section, (relation, field.name)


def test_it_renders_rules_types_and_keys_readably(generated):
    funding = generated[generated.index("### marts.funding\n") :]
    funding = funding[: funding.index("\n### ")]
    assert "Primary key: `claim_id`." in funding
    assert "| `amount_eur` | DECIMAL(18,2) | yes | " in funding
    assert "`at least 0`" in funding
    assert "Row rules: `is_amount_known matches amount_eur`" in funding
    table1 = generated[generated.index("### raw.table1_ranks\n") :]
    assert "free text: at most 2000 characters" in table1[: table1.index("\n### ")]
    claims = generated[generated.index("### raw.claims\n") :]
    assert r"vdem_ert\|wjp_roli" in claims[: claims.index("\n### ")]  # pipes escaped in a cell


def test_it_is_deterministic(generated):
    assert dd.data_dictionary(MODELS_DIR) == generated
    assert str(REPO_ROOT) not in generated  # no machine paths


def test_a_new_mart_and_a_changed_description_change_it(tmp_path, generated):
    """Marts are discovered from sql/marts/*.yml: adding one adds its section."""
    models = tmp_path / "sql"
    shutil.copytree(MODELS_DIR, models)
    (models / "marts" / "zz_new.sql").write_text("SELECT 1 AS one\n", encoding="utf-8")
    (models / "marts" / "zz_new.yml").write_text(
        "description: A mart added later.\ncolumns:\n"
        "  - {name: one, type: int, description: The number one.}\n",
        encoding="utf-8",
    )
    funding = models / "marts" / "funding.yml"
    text = funding.read_text(encoding="utf-8")
    funding.write_text(text.replace("Recipient's name.", "Who receives it."), encoding="utf-8")
    changed = dd.data_dictionary(models)
    assert changed != generated
    assert "### marts.zz_new\n\nA mart added later." in changed
    assert "| `one` | INTEGER | no | The number one. |" in changed
    assert "Who receives it." in changed and "Who receives it." not in generated


def test_the_cli_says_when_it_is_stale_and_writes_it_atomically(tmp_path, capsys, generated):
    target = tmp_path / "data-dictionary.md"
    target.write_text("# old\n", encoding="utf-8")
    assert cli.dictionary(write=False, path=target) == 1
    assert dd.REGENERATE in capsys.readouterr().out
    assert target.read_text(encoding="utf-8") == "# old\n"  # checking never writes
    assert cli.dictionary(write=True, path=target) == 0
    assert "wrote" in capsys.readouterr().out
    assert target.read_text(encoding="utf-8") == generated
    assert [p.name for p in tmp_path.iterdir()] == ["data-dictionary.md"]  # no temporary left
    assert cli.dictionary(write=True, path=target) == 0
    assert "up to date" in capsys.readouterr().out  # never claims a write it did not make


def test_the_check_runs_as_a_command():
    result = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "dictionary"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "docs/data-dictionary.md is up to date" in result.stdout
