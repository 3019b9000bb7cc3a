"""Descriptions that hold: every warehouse table a description names (`marts.x`, `raw.y`,
`staging.z`, `exports/x.parquet`) in a table or column spec, a model's YAML or comment, or an
origin record, exists in a real refresh's warehouse."""

from __future__ import annotations

import duckdb
import pytest

from pipeline.settings import MODELS_DIR, REPO_ROOT
from pipeline.transforms.publish.table_mentions import descriptions, mentions


@pytest.fixture(scope="module")
def warehouse_tables(built) -> set[str]:
    """Every table and view of the published warehouse, and every export file."""
    with duckdb.connect(str(built.layout.published_db), read_only=True) as con:
        rows = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'staging', 'marts')"
        ).fetchall()
    exports = built.layout.root / "exports"
    return {f"{schema}.{name}" for schema, name in rows} | {
        f"exports/{path.relative_to(exports).as_posix()}" for path in exports.rglob("*.parquet")
    }


def missing(texts, tables: set[str]) -> list[str]:
    return [
        f"{where}: names {name}, which the warehouse does not have"
        for where, text in texts
        for name in mentions(text)
        if name not in tables
    ]


def test_every_table_a_description_names_exists(warehouse_tables):
    texts = list(descriptions(REPO_ROOT / "raw", MODELS_DIR))
    assert len(texts) > 500  # every spec and origin record was read
    assert sum(bool(mentions(text)) for _, text in texts) >= 5  # and some name tables
    problems = missing(texts, warehouse_tables)
    assert not problems, "\n".join(problems)


def test_a_description_naming_a_table_that_is_not_there_is_found(warehouse_tables):
    texts = [
        ("marts.funding.source_id", "Id of the source (see marts.sources)."),
        ("marts.funding.erratum", "See marts.errata and exports/erratas.parquet."),
    ]
    assert missing(texts, warehouse_tables) == [
        "marts.funding.source_id: names marts.sources, which the warehouse does not have",
        "marts.funding.erratum: names exports/erratas.parquet, which the warehouse does not have",
    ]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("see marts.references.", ["marts.references"]),
        (
            "(raw.source_files) and staging.stg_wjp__ranks",
            ["raw.source_files", "staging.stg_wjp__ranks"],
        ),
        ("column marts.indicators.score", ["marts.indicators"]),
        ("in exports/timeline.parquet", ["exports/timeline.parquet"]),
        ("https://raw.githubusercontent.com/x/y", []),
        ("raw.githubusercontent.com", []),
        ("pipeline/schemas/raw.py and raw.py", []),
        ("raw/paper/claims.csv, warehouse/exports/*.parquet", []),
        ("marts.<mart>", []),
    ],
)
def test_what_counts_as_naming_a_table(text, named):
    assert mentions(text) == named
