"""The README's generated blocks (pipeline/docs_tables.py): its table of the marts, from their
specs, and its figures about the paper, from the marts (transforms/report/paper_counts.py). Derived
here from the specs and the session's build of WJP's and V-Dem's real files, README.md must hold
them exactly as `python -m pipeline.docs_tables --write` writes them."""

from __future__ import annotations

import duckdb
import pytest

from pipeline import docs_tables
from pipeline.lineage import build_graph
from pipeline.settings import MODELS_DIR, REPO_ROOT
from pipeline.transforms.report import paper_counts

pytestmark = pytest.mark.xdist_group("built")


@pytest.fixture(scope="module")
def figures(built) -> dict[str, int]:
    with duckdb.connect(str(built.layout.published_db), read_only=True) as con:
        return paper_counts.counts(con)


def test_the_readme_holds_the_generated_blocks(built):
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    texts = docs_tables.blocks(MODELS_DIR, built.layout.published_db)
    assert set(texts) == set(docs_tables.BLOCKS)
    stale = [b.name for b, text in texts.items() if text not in readme]
    assert stale == [], (
        f"README.md's generated blocks {stale} differ from the specs and marts: run "
        "`python -m pipeline.docs_tables --write` after a refresh with both downloads\n"
        + "\n\n".join(text for b, text in texts.items() if b.name in stale)
    )
    assert docs_tables.generated(readme, texts) == readme


def test_the_marts_table_has_every_mart_once_and_says_which_are_views():
    table = docs_tables.marts_table(MODELS_DIR)
    marts = build_graph(REPO_ROOT / "raw", MODELS_DIR).marts
    for mart in marts:
        view = " (view)" if mart.materialized == "view" else ""
        (row,) = [line for line in table.splitlines() if line.startswith(f"| `{mart.relation}`")]
        assert row.startswith(f"| `{mart.relation}`{view} | `{mart.spec.primary_key[0]}`")
    assert len(table.splitlines()) == len(marts) + 2


def test_the_figures_add_up(figures, built):
    verdicts = sum(figures[v] for v in paper_counts.VERDICTS)
    assert verdicts == figures["claims"]
    assert figures["robust"] <= figures["checkable"] == figures["claims"] - figures["not_checkable"]
    assert figures["confirmed"] + figures["probable"] + figures["suspected"] == figures["errata"]
    ((references,),) = built.query('SELECT count(*) FROM marts."references"')
    checks = figures["verified"] + figures["discrepancy"] + figures["not_checked"]
    assert checks == references
    ((cells,),) = built.query(
        "SELECT count(*) FROM marts.indicators WHERE source_id LIKE 'paper_%'"
    )
    assert (
        figures["global_cells"] + figures["region_cells"] + figures["income_group_cells"] == cells
    )


def test_replacing_a_block_leaves_the_rest_of_the_readme():
    block = docs_tables.BLOCKS[0]
    readme = f"before\n{block.begin}\nold rows\n{block.end}\nafter\n"
    text = f"{block.begin}\nnew rows\n{block.end}"
    assert docs_tables.replace_block(readme, block, text) == f"before\n{text}\nafter\n"
    with pytest.raises(SystemExit, match=block.name):
        docs_tables.replace_block("no markers\n", block, text)
