"""Every example in docs/queries.md runs against a freshly built warehouse.

Each ```sql block is split into statements and run by DuckDB on the warehouse opened read-only;
each statement must return at least one row. Each ```python block is exec()'d in a fresh
namespace and carries its own asserts. Both run in a temporary folder holding a `warehouse` link
to the session's built warehouse, so the doc's relative paths (warehouse/warehouse.duckdb,
warehouse/exports/...) resolve exactly as they do for a reader at the repository root.
The ```r blocks run with Rscript (tests/test_docs_r.py); the ```sh blocks, and every SQL query
again, with the DuckDB CLI (tests/test_duckdb_cli.py).
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

DOC = Path(__file__).resolve().parents[1] / "docs" / "queries.md"
# A fenced block: an opening fence alone on its line with a language, up to a closing fence
# alone on its line. Inline mentions such as ```` ```sql ```` in the prose are not fences.
FENCE = re.compile(r"^```(?P<lang>[A-Za-z0-9_+-]*)[ \t]*\n(?P<body>.*?)^```[ \t]*$", re.M | re.S)
MIN_BLOCKS = {"sql": 5, "python": 5, "r": 2, "sh": 1}


def doc_blocks() -> list[tuple[str, str, int]]:
    """(language, code, line of the code's first line in the doc) of every fenced block."""
    text = DOC.read_text(encoding="utf-8")
    return [
        (m["lang"].lower(), m["body"], text.count("\n", 0, m.start("body")) + 1)
        for m in FENCE.finditer(text)
    ]


def numbered(language: str) -> list[pytest.param]:
    blocks = [(code, line) for lang, code, line in doc_blocks() if lang == language]
    return [
        pytest.param(code, line, id=f"{language}-{i}") for i, (code, line) in enumerate(blocks, 1)
    ]


def statements(sql: str) -> list[str]:
    """Split a block on ';' (the doc's SQL has no ';' inside literals); drop empty pieces."""
    pieces = [piece.strip() for piece in sql.split(";")]
    return [piece for piece in pieces if any(_is_code(line) for line in piece.splitlines())]


def _is_code(line: str) -> bool:
    return bool(line.strip()) and not line.strip().startswith("--")


@pytest.fixture
def in_reader_folder(built, tmp_path, monkeypatch) -> Path:
    """Work in a folder where `warehouse` is the built warehouse, as for a reader."""
    (tmp_path / "warehouse").symlink_to(built.layout.root, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_doc_keeps_its_examples():
    counts: dict[str, int] = {}
    for language, _, _ in doc_blocks():
        counts[language] = counts.get(language, 0) + 1
    for language, minimum in MIN_BLOCKS.items():
        assert counts.get(language, 0) >= minimum, (
            f"docs/queries.md has {counts.get(language, 0)} ```{language} blocks, expected at "
            f"least {minimum}: {counts}"
        )


def test_statement_splitting():
    assert statements("select 1;\n\n-- a note\nselect 2;\n") == ["select 1", "-- a note\nselect 2"]
    assert statements("-- only a comment\n") == []


@pytest.mark.parametrize(("sql", "line"), numbered("sql"))
def test_sql_block_runs_and_returns_rows(sql, line, in_reader_folder):
    queries = statements(sql)
    assert queries, f"empty sql block at docs/queries.md:{line}"
    with duckdb.connect("warehouse/warehouse.duckdb", read_only=True) as con:
        for query in queries:
            rows = con.execute(query).fetchall()
            assert rows, f"no rows from the block at docs/queries.md:{line}:\n{query}"


@pytest.mark.parametrize(("code", "line"), numbered("python"))
def test_python_block_runs(code, line, in_reader_folder):
    # Padded so that a traceback names the doc's own line numbers.
    source = "\n" * (line - 1) + code
    exec(compile(source, str(DOC), "exec"), {"__name__": "__docs_queries__"})
