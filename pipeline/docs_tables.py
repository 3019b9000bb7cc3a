"""The README's generated blocks: its table of the marts, from their specs, and its figures about
the paper, from the marts of a warehouse. Each block stands between two markers in README.md,
`<!-- name: generated ... -->` and `<!-- /name -->`; the rest of the README is written by hand.
A test derives every block from the session's build and checks that README.md holds them as
this command writes them.

    python -m pipeline.docs_tables                      # the blocks, from the published warehouse
    python -m pipeline.docs_tables --write              # and into README.md
    python -m pipeline.docs_tables --warehouse PATH     # from another warehouse.duckdb

Belongs here: which blocks the README has, rendering the marts table, and replacing a block.
Stays out: the figures' queries and wording (transforms/report/paper_counts.py), the data dictionary
(transforms/publish/data_dictionary.py), which describes every column.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipeline.settings import MODELS_DIR, REPO_ROOT

README = REPO_ROOT / "README.md"
COMMAND = "`python -m pipeline.docs_tables --write`"


@dataclass(frozen=True)
class Block:
    name: str
    source: str  # what it is generated from, as its opening marker says
    render: Callable[[Path, Path], str]  # (models folder, warehouse.duckdb) -> the block's body

    @property
    def begin(self) -> str:
        return f"<!-- {self.name}: generated from {self.source} by {COMMAND} -->"

    @property
    def end(self) -> str:
        return f"<!-- /{self.name} -->"

    def text(self, models_dir: Path, database: Path) -> str:
        """The block, markers included."""
        return f"{self.begin}\n{self.render(models_dir, database)}\n{self.end}"


def marts_table(models_dir: Path, database: Path | None = None) -> str:
    """One row per mart: its name (and whether it is a view), the columns of its primary key
    (one row per value of them) and the first sentence of its spec's description."""
    from pipeline.lineage import build_graph

    rows = ["| Mart | One row per | What it holds |", "|---|---|---|"]
    marts = build_graph(REPO_ROOT / "raw", models_dir).marts
    for mart in sorted(marts, key=lambda m: m.name):
        view = " (view)" if mart.materialized == "view" else ""
        key = " × ".join(f"`{column}`" for column in mart.spec.primary_key)
        rows.append(f"| `{mart.relation}`{view} | {key} | {first_sentence(mart.description)}. |")
    return "\n".join(rows)


def first_sentence(text: str) -> str:
    """A description's first sentence, on one line, without its full stop."""
    head = re.split(r"(?<=[a-z0-9)`'])\. ", " ".join(text.split()), maxsplit=1)[0]
    return head.rstrip(".").replace("|", "\\|")


def paper_figures(models_dir: Path, database: Path) -> str:
    import duckdb

    from pipeline.transforms.report import paper_counts

    with duckdb.connect(str(database), read_only=True) as con:
        return paper_counts.render(paper_counts.counts(con))


BLOCKS = (
    Block("marts-table", "the mart specs (pipeline/sql/marts/*.yml)", marts_table),
    Block("paper-counts", "the marts", paper_figures),
)


def replace_block(readme: str, block: Block, text: str) -> str:
    """`readme` with the block between its markers replaced by `text` (markers included)."""
    pattern = re.compile(
        rf"^<!-- {re.escape(block.name)}: .*?-->\n.*?^{re.escape(block.end)}$", re.S | re.M
    )
    if not pattern.search(readme):
        raise SystemExit(f"README.md has no block {block.name!r} ({block.begin} ... {block.end})")
    return pattern.sub(lambda _: text, readme, count=1)


def blocks(models_dir: Path = MODELS_DIR, database: Path | None = None) -> dict[Block, str]:
    """Every block's text, markers included."""
    database = database or REPO_ROOT / "warehouse" / "warehouse.duckdb"
    return {block: block.text(models_dir, database) for block in BLOCKS}


def generated(readme: str, texts: dict[Block, str]) -> str:
    """`readme` with every block replaced by its text."""
    for block, text in texts.items():
        readme = replace_block(readme, block, text)
    return readme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.docs_tables",
        description="Write the README's generated blocks (pipeline/docs_tables.py).",
    )
    parser.add_argument("--write", action="store_true", help="rewrite the blocks in README.md")
    parser.add_argument("--warehouse", type=Path, help="a warehouse.duckdb (default: published)")
    args = parser.parse_args(argv)
    texts = blocks(database=args.warehouse)
    if args.write:
        README.write_text(generated(README.read_text(encoding="utf-8"), texts), encoding="utf-8")
    print("\n\n".join(texts.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
