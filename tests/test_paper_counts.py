"""The README's figures about the paper (claims, errata, reference checks) are generated from the
marts (pipeline/transforms/paper_counts.py): derived here from the session's build of WJP's and
V-Dem's real files, they must be the README's block, word for word."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.settings import REPO_ROOT
from pipeline.transforms import paper_counts
from tests.harness import copy_raw, edit_csv, run_steps

pytestmark = pytest.mark.xdist_group("built")


@pytest.fixture(scope="module")
def figures(built) -> dict[str, int]:
    with duckdb.connect(str(built.layout.published_db), read_only=True) as con:
        return paper_counts.counts(con)


def test_the_readme_states_the_marts_figures(figures):
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = paper_counts.render(figures)
    assert block in readme, (
        "README.md's figures about the paper differ from the marts: run "
        "`python -m pipeline.transforms.paper_counts --write` after a refresh\n" + block
    )


def test_the_figures_add_up(figures, built):
    verdicts = sum(figures[v] for v in paper_counts.VERDICTS)
    assert verdicts == figures["claims"]
    assert figures["robust"] <= figures["checkable"] == figures["claims"] - figures["not_checkable"]
    assert figures["confirmed"] + figures["probable"] + figures["suspected"] == figures["errata"]
    ((references,),) = built.query('SELECT count(*) FROM marts."references"')
    checks = figures["verified"] + figures["discrepancy"] + figures["not_checked"]
    assert checks == references


def test_replacing_the_block_leaves_the_rest_of_the_readme(figures):
    readme = f"before\n{paper_counts.BEGIN}\nold figures\n{paper_counts.END}\nafter\n"
    block = paper_counts.render(figures)
    assert paper_counts.replace_block(readme, block) == f"before\n{block}\nafter\n"


def test_a_verified_reference_with_an_erratum_is_refused(tmp_path):
    """reference_checks.csv and errata.csv must agree: a reference an erratum corrects cannot be
    verified (the check blocks the publish and names the reference and the erratum)."""
    raw_dir = copy_raw(tmp_path)
    edit_csv(
        raw_dir / "reference/reference_checks.csv",
        "chaney2022b,discrepancy,",
        "chaney2022b,verified,",
    )
    failed = run_steps(raw_dir, tmp_path, marts=("references",)).failed()
    ((key, messages),) = failed.items()
    assert key[1] == "no_verified_reference_has_an_erratum"
    assert "chaney2022b" in messages and "Volume 42 of Central Asian Survey" in messages
