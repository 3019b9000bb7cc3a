"""The transcriptions against the paper's own text (the file `PAPER_TEXT` names; skipped without
it): every table cell, every quoted sentence, every reference title. A typo in raw/ fails here,
not in a reader's analysis."""

from __future__ import annotations

import csv
import re

import pytest

from pipeline.settings import REPO_ROOT


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _rows(relative: str) -> list[dict]:
    with open((REPO_ROOT / "raw") / relative, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _printed_table(seed_text: str, caption: str) -> list[list[str]]:
    """The tab-separated lines of a table in the seed, header first."""
    lines = seed_text[seed_text.index(caption) :].splitlines()[1:]
    block = []
    for line in lines:
        if line.startswith("Note:"):
            break
        if line.strip():
            block.append(line.split("\t"))
    return block


def test_table1_cells_are_the_printed_cells(seed_text):
    printed = _printed_table(seed_text, "Table 1. Central Asian")
    header, body = printed[0][1:], printed[1:]
    cells = {
        (r["row_label"], r["column_label"]): r["cell_text"] for r in _rows("paper/table1_ranks.csv")
    }
    expected = {
        (line[0], col): cell for line in body for col, cell in zip(header, line[1:], strict=True)
    }
    assert cells == expected


def test_table2_cells_are_the_printed_cells(seed_text):
    printed = _printed_table(seed_text, "Table 2. Kazakhstan")
    header, body = printed[0][1:], printed[1:]
    cells = {
        (r["row_label"], r["column_label"]): r["cell_text"]
        for r in _rows("paper/table2_kazakhstan_ranks.csv")
    }
    expected = {
        (line[0], col): cell for line in body for col, cell in zip(header, line[1:], strict=True)
    }
    assert cells == expected


def test_table1_parsed_ranks_agree_with_cell_text():
    for row in _rows("paper/table1_ranks.csv"):
        match = re.fullmatch(r"(\d+)(\**)(?: \((\d+) in (\d{4})\))?|–", row["cell_text"])
        assert match, row["cell_text"]
        rank, _, previous, previous_year = match.groups()
        assert row["rank"] == (rank or ""), row
        assert row["previous_rank"] == (previous or ""), row
        assert row["previous_edition_year"] == (previous_year or ""), row
        assert (row["missing_reason"] == "no data") == (rank is None), row


def test_table2_parsed_ranks_agree_with_cell_text():
    for row in _rows("paper/table2_kazakhstan_ranks.csv"):
        rank, n_ranked, marks = re.fullmatch(r"(\d+)/(\d+)(\**)", row["cell_text"]).groups()
        assert (row["rank"], row["n_ranked"], row["note_marks"]) == (rank, n_ranked, marks)


def test_table2_region_list_is_the_printed_note(seed_text):
    note = re.search(r"represented in the rating \(([^)]*)\)", seed_text).group(1)
    printed = [name.strip() for name in note.split(",")]
    assert [r["name_as_printed"] for r in _rows("paper/table2_region_members.csv")] == printed
    assert len(printed) == 14


def test_figure1_labels_are_in_the_caption(seed_text):
    caption = re.search(r"Figure 1\..*", seed_text).group(0)
    for row in _rows("paper/figure1_bars.csv"):
        assert f"{row['label_as_printed']} – {row['label_meaning_as_printed']}" in caption
    assert "about €1 billion" in seed_text


@pytest.mark.parametrize("row", _rows("paper/timeline_events.csv"), ids=lambda r: r["event_id"])
def test_every_event_quote_is_verbatim_and_holds_its_date(row, seed_text):
    text = _collapse(seed_text)
    assert _collapse(row["paper_quote"]) in text
    year = row["event_date"][:4]
    assert year in row["paper_quote"] or year in row["date_as_printed"]


def test_every_erratum_quotes_the_paper_verbatim(seed_text):
    for row in _rows("reference/errata.csv"):
        assert _collapse(row["paper_says"]) in _collapse(seed_text)


def test_every_reference_title_is_in_the_reference_list(seed_text):
    references_part = _collapse(seed_text[seed_text.index("\nReferences\n") :])
    unescaped = references_part.replace("*", "").replace("\\", "")
    rows = _rows("paper/references.csv")
    assert len(rows) == 40
    for row in rows:
        assert _collapse(row["title"]) in unescaped, row["reference_key"]


def _sentences(text: str) -> list[str]:
    """The paper's sentences, roughly: split after a full stop followed by a capital."""
    return re.split(r"(?<=[.!?])\s+(?=[A-Z0-9])", _collapse(text))


def test_every_claim_quotes_the_paper_verbatim_where_it_says(seed_text):
    text = _collapse(seed_text)
    rows = _rows("paper/claims.csv")
    assert len(rows) >= 30
    for row in rows:
        assert _collapse(row["paper_quote"]) in text, row["claim_id"]
        assert f"\n{row['paper_section']}\n" in seed_text, row["claim_id"]  # a heading of the paper
        assert row["source_locator"], row["claim_id"]  # where in the section
        if row["rule_kind"] == "not_checkable":
            assert row["checked_against"] == "none" and row["note"], row["claim_id"]


def test_every_sentence_citing_wjp_data_is_a_claim(seed_text):
    """A sentence that names WJP's index, or rests on the paper's Tables 1 and 2 (WJP's data),
    holds at least one claim's quote (or is within one)."""
    quotes = [_collapse(r["paper_quote"]) for r in _rows("paper/claims.csv")]
    body = seed_text[: seed_text.index("\nReferences\n")]
    citing = [
        s
        for s in _sentences(body)
        if re.search(r"World Justice Project|Rule of Law Index|\(Table [12]\)", s)
    ]
    assert len(citing) >= 6
    for sentence in citing:
        assert any(q in sentence or sentence in q for q in quotes), sentence
