"""Each transformation on tiny hand-made inputs: spec derivations, pandera-to-Problem conversion,
the report and its charts, Parquet export, DuckDB loading and the publish/prune layout."""

from __future__ import annotations

import datetime as dt
import os
import time
import xml.etree.ElementTree as ET
from decimal import Decimal

import duckdb
import pandas as pd
import pandera.errors
import pyarrow
import pyarrow.parquet as pq
import pytest

from pipeline import paths
from pipeline.release import (
    DB_NAME,
    STALE_BUILD_SECONDS,
    WarehouseLayout,
    prune_stale_builds,
    publish,
    start_build,
)
from pipeline.schemas import checks as c
from pipeline.schemas.marts import FUNDING, INDICATORS, TIMELINE
from pipeline.schemas.spec import (
    BOOL,
    DATE,
    DECIMAL,
    INT,
    LIST,
    STRING,
    Field,
    RowRule,
    TableSpec,
    qualified,
)
from pipeline.transforms import charts, duck, report
from pipeline.transforms.duck import ordered_select
from pipeline.transforms.export import copy_parquet, read_back_problems
from pipeline.transforms.problems import Problem, validate_frame

HOSTILE = "<script>alert(1)</script>"

TINY = TableSpec(
    name="tiny",
    description="A tiny table for tests.",
    fields=(
        Field("id", INT, "Key.", checks=(c.positive_int(),)),
        Field("name", STRING, "A name.", checks=c.text(20)),
        Field("amount", DECIMAL, "An amount.", True),
        Field("day", DATE, "A day.", True),
        Field("tags", LIST, "Tags."),
        Field("flag", BOOL, "A flag.", True),
    ),
    primary_key=("id",),
)


def tiny_frame(**overrides) -> pd.DataFrame:
    columns = {
        "id": pd.Series([2, 1], dtype="Int64"),
        "name": ["b", "a"],
        "amount": ["1.50", None],
        "day": ["2022-02-01", None],
        "tags": [["x", "y"], []],
        "flag": pd.Series([True, None], dtype="boolean"),
    }
    columns.update(overrides)
    return pd.DataFrame(columns)


# --- spec ------------------------------------------------------------------------------------

SCHEMA_ERRORS = (pandera.errors.SchemaError, pandera.errors.SchemaErrors)


def test_pandera_schema_accepts_a_valid_frame():
    TINY.pandera_schema().validate(tiny_frame())


def test_pandera_schema_is_strict_about_extra_columns():
    frame = tiny_frame().assign(extra=[1, 2])
    with pytest.raises(SCHEMA_ERRORS, match="extra"):
        TINY.pandera_schema().validate(frame)


def test_pandera_schema_is_strict_about_column_order():
    frame = tiny_frame()[["name", "id", "amount", "day", "tags", "flag"]]
    with pytest.raises(SCHEMA_ERRORS, match="out-of-order"):
        TINY.pandera_schema().validate(frame)


def test_create_table_sql_quotes_identifiers():
    spec = TableSpec("t", "d", (Field('we"ird', STRING, "x"), Field("n", INT, "y", True)), ())
    sql = spec.create_table_sql(qualified("main", 'odd"table'))
    assert '"we""ird" VARCHAR NOT NULL' in sql
    assert '"n" INTEGER,' not in sql and '"n" INTEGER' in sql
    assert '"main"."odd""table"' in sql
    with duckdb.connect() as con:
        con.execute(sql)
        described = con.execute('DESCRIBE "main"."odd""table"').fetchall()
    assert [(row[0], row[1], row[2]) for row in described] == [
        ('we"ird', "VARCHAR", "NO"),
        ("n", "INTEGER", "YES"),
    ]


def test_arrow_schema_carries_descriptions_and_nullability():
    schema = TINY.arrow_schema({"k": "v"})
    assert schema.names == TINY.column_names
    assert schema.field("name").metadata == {b"description": b"A name."}
    assert schema.field("tags").type == pyarrow.list_(pyarrow.string())
    assert schema.field("amount").type == pyarrow.decimal128(18, 2)
    assert schema.field("id").nullable is False and schema.field("amount").nullable is True
    assert schema.metadata == {b"k": b"v"}


# --- problems --------------------------------------------------------------------------------


KEYED = TableSpec(
    "keyed",
    "d",
    (
        Field("a", STRING, "A."),
        Field("b", INT, "B.", checks=(c.positive_int(),)),
        Field("c", INT, "C.", True),
    ),
    primary_key=("a", "b"),
    row_rules=(RowRule("c is at most b", "c", lambda df: df["c"].isna() | (df["c"] <= df["b"])),),
)


def keyed_frame(a, b, cc) -> pd.DataFrame:
    return pd.DataFrame(
        {"a": a, "b": pd.Series(b, dtype="Int64"), "c": pd.Series(cc, dtype="Int64")}
    )


def test_validate_frame_on_valid_data_is_empty():
    assert validate_frame(keyed_frame(["x", "y"], [1, 2], [None, 1]), KEYED, "k.csv") == []


def test_validate_frame_rows_are_one_based():
    problems = validate_frame(keyed_frame(["x", "y"], [1, 0], [None, None]), KEYED, "k.csv")
    assert problems == [Problem("k.csv", 2, "b", "at least 1", "0")]


def test_validate_frame_row_rule_is_reported_on_its_column():
    problems = validate_frame(keyed_frame(["x", "y"], [1, 2], [None, 5]), KEYED, "k.csv")
    assert [(p.row, p.column, p.rule) for p in problems] == [(2, "c", "c is at most b")]


def test_validate_frame_key_clash_lists_every_row_and_key_values():
    problems = validate_frame(keyed_frame(["x", "y", "x"], [1, 2, 1], [None] * 3), KEYED, "k.csv")
    assert problems == [
        Problem("k.csv", 1, "a, b", "key (a, b) is unique", "x, 1"),
        Problem("k.csv", 3, "a, b", "key (a, b) is unique", "x, 1"),
    ]


def test_validate_frame_empty_required_cell():
    problems = validate_frame(keyed_frame(["x", None], [1, 2], [None, None]), KEYED, "k.csv")
    assert problems == [Problem("k.csv", 2, "a", "required (not empty)")]


def test_validate_frame_column_problems_are_whole_file():
    extra = keyed_frame(["x"], [1], [None]).assign(z=[1])
    missing = keyed_frame(["x"], [1], [None]).drop(columns=["c"])
    assert validate_frame(extra, KEYED, "k.csv") == [
        Problem("k.csv", None, None, "no columns beyond the spec", "z")
    ]
    assert Problem("k.csv", None, None, "every column of the spec is present", "c") in (
        validate_frame(missing, KEYED, "k.csv")
    )


# --- report ----------------------------------------------------------------------------------

FACTORS = {
    "overall": ("Global rating", "Overall"),
    "F1": ("Government influence", "Constraints on Government Powers"),
    "F2": ("Corruption", "Absence of Corruption"),
}
TABLE1_COLUMNS = {"KAZ": (1, "Kazakhstan"), "KGZ": (2, "Kyrgyzstan"), "TJK": (3, "Tajikistan")}


def indicator(source, locator, iso3, year, factor, rank, n_ranked=140, scope="global", **kw):
    label, name = FACTORS[factor]
    row = {
        "source_id": source,
        "source_locator": locator,
        "country_iso3": iso3,
        "country_name": TABLE1_COLUMNS[iso3][1],
        "edition_year": year,
        "factor_code": factor,
        "factor_name": name,
        "paper_label": label,
        "scope": scope,
        "scope_name": kw.get("scope_name", "all countries in the rating"),
        "rank": rank,
        "n_ranked": n_ranked if rank is not None else None,
        "missing_reason": None if rank is not None else "no data",
        "cell_text": kw.get("cell_text", "–" if rank is None else str(rank)),
        "paper_citation_key": "rule_of_law_index2023",
        "edition_label": str(year),
        "verification": kw.get("verification", "verified"),
        "verification_note": kw.get("verification_note", "Paper and source agree."),
    }
    return row


def t1(iso3, year, factor, rank, n_ranked=140):
    column = TABLE1_COLUMNS[iso3][0]
    row = list(FACTORS).index(factor) + 1
    locator = f'Table 1, row {row} "{FACTORS[factor][0]}", column {column} "x"'
    return indicator("paper_table1", locator, iso3, year, factor, rank, n_ranked)


def t2(factor, scope, rank, n_ranked, scope_name):
    column = ("region", "income_group", "global").index(scope) + 1
    locator = f'Table 2, row 1 "{FACTORS[factor][0]}", column {column} "x"'
    return indicator(
        "paper_table2", locator, "KAZ", 2022, factor, rank, n_ranked, scope, scope_name=scope_name
    )


def indicators_frame() -> pd.DataFrame:
    rows = [
        # Kyrgyzstan is listed first on purpose: columns follow the paper's column numbers.
        t1("KGZ", 2022, "overall", 100), t1("KGZ", 2022, "F1", 104), t1("KGZ", 2022, "F2", 120),
        t1("KGZ", 2021, "overall", 99, None),
        t1("KAZ", 2022, "F2", 62), t1("KAZ", 2022, "overall", 65), t1("KAZ", 2022, "F1", 106),
        t1("KAZ", 2021, "overall", 72, None),
        t1("TJK", 2022, "overall", None), t1("TJK", 2022, "F1", None), t1("TJK", 2022, "F2", None),
        t2("F1", "region", 9, 14, "Eastern Europe and Central Asia"),
        t2("F1", "income_group", 35, 42, "above average income group"),
        t2("F1", "global", 106, 140, "all countries in the rating"),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=INDICATORS.column_names)
    return frame.astype({"edition_year": "Int64", "rank": "Int64", "n_ranked": "Int64"})


def claim(claim_id, code, name, amount, *, disputed=(), source="src", **kw):
    return {
        "claim_id": claim_id,
        "recipient_code": code,
        "recipient_name": name,
        "instrument": kw.get("instrument", "bilateral"),
        "scope_as_stated": kw.get("scope_as_stated", "Bilateral assistance"),
        "period_start_year": 2014,
        "period_end_year": 2020,
        "amount_eur": None if amount is None else Decimal(amount),
        "is_amount_known": amount is not None,
        "amount_qualifier": "exact" if amount is not None else "unknown",
        "amount_missing_reason": None if amount is not None else "No figure was found",
        "source_id": source,
        "source_title": None if source is None else f"Title of {source}",
        "source_url": None if source is None else f"https://example.org/{source}",
        "source_locator": None if source is None else "web page",
        "confidence": None if source is None else "official",
        "is_disputed": bool(disputed),
        "competing_claim_ids": list(disputed),
    }


def funding_frame() -> pd.DataFrame:
    rows = [
        claim("kgz_a", "KGZ", "Kyrgyzstan", "174000000.00", disputed=["kgz_b"]),
        claim("kgz_b", "KGZ", "Kyrgyzstan", "184000000.00", disputed=["kgz_a"], source="press"),
        claim("tjk", "TJK", "Tajikistan", "251000000.00"),
        claim("tkm", "TKM", "Turkmenistan", None, source=None),
    ]
    return pd.DataFrame(rows, columns=FUNDING.column_names)


def event(event_id, date, precision, title, description, countries=(), erratum=None, **kw):
    return {
        "event_id": event_id,
        "event_date": dt.date.fromisoformat(date),
        "date_precision": precision,
        "date_as_printed": kw.get("date_as_printed", date),
        "country_iso3s": list(countries),
        "actor": None,
        "category": "meeting",
        "title": title,
        "description": description,
        "deaths_reported": None,
        "source_id": "paper",
        "source_locator": "Results",
        "paper_quote": "quote",
        "citation_keys": list(kw.get("citations", [])),
        "citation_note": None,
        "erratum": erratum,
        "erratum_event_date": None,
        "erratum_source_urls": [],
    }


def timeline_frame(description=HOSTILE) -> pd.DataFrame:
    rows = [
        event("ev_2022_b", "2022-03-01", "month", "Council | meeting", description, ["KAZ"],
              erratum="It met in June.", citations=["chaney2022b"], date_as_printed="March 2022"),
        event("ev_2007_a", "2007-01-01", "year", "Strategy", "The initial strategy."),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=TIMELINE.column_names)


def report_inputs(**overrides) -> report.ReportInputs:
    inputs = {
        "indicators": indicators_frame(),
        "funding": funding_frame(),
        "timeline": timeline_frame(),
        "references": pd.DataFrame({"reference_key": ["a", "b", "c"]}),
        "source_files": pd.DataFrame(
            {
                "path": ["raw/paper/table1_ranks.csv"],
                "sha256": ["4ea9176f93391ab44b49c6dd36db85488e12de3a"],
                "title": ["Paper Table 1"],
                "locator": ["Table 1"],
            }
        ),
    }
    inputs |= {
        "countries": pd.DataFrame(
            {"country_iso3": ["KAZ", "KGZ", "TJK"],
             "country_name": ["Kazakhstan", "Kyrgyzstan", "Tajikistan"],
             "is_central_asia": [True, True, True]}
        ),
        "indicator_source_files": pd.DataFrame(
            columns=["source_id", "path", "sha256", "title", "citation", "url", "license"]
        ),
        "paper_verification": pd.DataFrame(
            {"paper_table": ["Table 1"], "scope": ["global"], "verification": ["verified"],
             "cells": [11]}
        ),
        "wjp_snapshot": pd.DataFrame(
            [{"status": "unavailable", "reason": "offline", "url": "http://127.0.0.1:9/x",
              "sha256": "0" * 64, "obtained_from": None}]
        ),
        "wjp_region_averages": pd.DataFrame(
            columns=["edition_year", "edition_label", "region", "measure_code", "average_score"]
        ),
    }  # fmt: skip
    inputs.update(overrides)
    return report.ReportInputs(**inputs)


def test_table1_is_rebuilt_in_the_papers_row_and_column_order():
    (table, chart) = report.table1_section(indicators_frame()).blocks
    assert table.headers == ["Factor (paper's label)", "Kazakhstan", "Kyrgyzstan", "Tajikistan"]
    assert table.rows == [
        ["Global rating", "65 (72 in 2021)", "100 (99 in 2021)", "–"],
        ["Government influence", "106", "104", "–"],
        ["Corruption", "62", "120", "–"],
    ]
    assert chart.name == "rank_heatmap"


def test_table1_appears_in_markdown_and_html():
    built = report.build_report(report_inputs())
    assert "| Global rating | 65 (72 in 2021) | 100 (99 in 2021) | – |" in built.markdown
    assert "<td>65 (72 in 2021)</td>" in built.html
    assert "WJP Rule of Law Index 2022" in built.markdown


def test_table2_is_rebuilt_as_rank_over_n_ranked_per_scope():
    (table, _) = report.table2_section(indicators_frame()).blocks
    assert table.headers == [
        "Factor (paper's label)",
        "region (Eastern Europe and Central Asia)",
        "income group (above average income group)",
        "global (all countries in the rating)",
    ]
    assert table.rows == [["Government influence", "9/14", "35/42", "106/140"]]


def test_headlines_name_best_and_worst_factor_and_movement():
    *lines, source = [p.text for p in report.headline_section(indicators_frame()).blocks]
    assert source.startswith("Source: the paper's Table 1") and "paper_table1" in source
    assert lines == [
        "Kazakhstan: best factor Absence of Corruption (rank 62), worst Constraints on "
        "Government Powers (rank 106); overall rank 72 in 2021 to 65 in 2022 (up 7 places).",
        "Kyrgyzstan: best factor Constraints on Government Powers (rank 104), worst Absence of "
        "Corruption (rank 120); overall rank 99 in 2021 to 100 in 2022 (down 1 place).",
        "Tajikistan: no data in the paper's Table 1 (2022).",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(66, 65, "(up 1 place).", id="up 1 place"),
        pytest.param(60, 65, "(down 5 places).", id="down 5 places"),
        pytest.param(65, 65, "(unchanged).", id="unchanged"),
        pytest.param(None, 65, "no earlier overall rank in the paper.", id="no earlier rank"),
    ],
)
def test_headline_movement_text(old, new, expected):
    rows = [t1("KAZ", 2022, "overall", new), t1("KAZ", 2022, "F1", 100)]
    if old is not None:
        rows.append(t1("KAZ", 2021, "overall", old, None))
    frame = pd.DataFrame(rows, columns=INDICATORS.column_names)
    line, _source = [p.text for p in report.headline_section(frame).blocks]
    assert line.endswith(expected)


def test_funding_separates_known_from_unknown_and_names_the_dispute():
    summary, known, unknown, chart = report.funding_section(funding_frame()).blocks
    assert summary.text == (
        "3 claims give an amount and 1 do not. Sources disagree for: Kyrgyzstan; both claims "
        "are shown, none is chosen."
    )
    assert [row[0] for row in known.rows] == ["Kyrgyzstan", "Kyrgyzstan", "Tajikistan"]
    assert known.rows[0][2] == "174,000,000.00"
    assert known.rows[0][5] == "yes: kgz_b" and known.rows[2][5] == "no"
    assert known.rows[0][4] == "Title of src — https://example.org/src — web page"
    assert unknown.rows == [
        [
            "Turkmenistan",
            "Bilateral assistance",
            "unknown",
            "No figure was found",
            "no source found",
        ]
    ]
    assert "unknown - no source found" in chart.svg


def test_funding_without_disagreement_says_so():
    frame = funding_frame()
    frame = frame[frame["claim_id"].isin(["tjk", "tkm"])]
    summary = report.funding_section(frame).blocks[0]
    assert summary.text == "1 claims give an amount and 1 do not. No two sources disagree."


def test_timeline_rows_show_date_at_its_precision_and_erratum():
    paragraph, _, table = report.timeline_section(timeline_frame("Met.")).blocks
    assert paragraph.text.startswith("2 dated events; 1 carry an erratum")
    assert table.rows == [
        ["2007", "—", "meeting", "Strategy", "The initial strategy.", "none", ""],
        ["2022-03", "KAZ", "meeting", "Council | meeting", "Met.", "chaney2022b",
         "It met in June."],
    ]  # fmt: skip


def test_html_escapes_hostile_text_everywhere():
    indicators = indicators_frame().assign(paper_label=HOSTILE)
    funding = funding_frame().assign(recipient_name=HOSTILE)
    built = report.build_report(report_inputs(indicators=indicators, funding=funding))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in built.html
    assert "<script" not in built.html.lower()
    assert "<script" not in built.markdown.lower()
    assert "&lt;script&gt;" in built.markdown
    assert all("<script" not in svg for svg in built.charts.values())


def test_markdown_escapes_table_pipes():
    built = report.build_report(report_inputs())
    assert "Council \\| meeting" in built.markdown
    assert "Council | meeting" not in built.markdown
    row = next(line for line in built.markdown.splitlines() if "Council \\|" in line)
    cells = row.replace("\\|", "").strip("|").split("|")
    assert len(cells) == 7, "an escaped pipe must not add a table column"


def test_report_is_deterministic():
    first = report.build_report(report_inputs())
    second = report.build_report(report_inputs())
    assert first.markdown == second.markdown
    assert first.html == second.html
    assert first.charts == second.charts
    assert set(first.charts) == {"rank_heatmap", "kazakhstan_positions", "funding_bars", "timeline"}


def test_html_is_self_contained():
    html = report.build_report(report_inputs()).html
    assert html.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "<link" not in html and "src=" not in html


# --- charts ----------------------------------------------------------------------------------


def parse_svg(svg: str) -> ET.Element:
    return ET.fromstring(svg)


SVG = "{http://www.w3.org/2000/svg}"


def test_heatmap_has_title_and_desc_and_is_well_formed():
    svg = charts.rank_heatmap(
        ["Corruption"],
        ["Kazakhstan"],
        [charts.HeatCell("Corruption", "Kazakhstan", 62, 140)],
        "Ranks & more",
    )
    root = parse_svg(svg)
    assert root.find(f"{SVG}title").text == "Ranks & more"
    assert root.find(f"{SVG}desc").text == "Rank heat map. Kazakhstan, Corruption: rank 62 of 140"
    assert root.get("role") == "img"


def test_chart_labels_are_escaped():
    svg = charts.rank_heatmap(
        [HOSTILE], ["<b>x</b>"], [charts.HeatCell(HOSTILE, "<b>x</b>", 1, 2)], HOSTILE
    )
    assert "<script" not in svg and "<b>" not in svg
    assert "&lt;script&gt;" in svg and "&lt;b&gt;" in svg
    texts = [t.text for t in parse_svg(svg).iter(f"{SVG}text")]
    assert HOSTILE in texts and "<b>x</b>" in texts


def test_funding_bars_hatch_only_unknown_amounts():
    bars = [charts.Bar("Known", 174.0, "src"), charts.Bar("Unknown", None, "no source found")]
    svg = charts.funding_bars(bars, "Funding")
    assert svg.count("fill='url(#hatch-funding)'") == 1
    assert "unknown - no source found" in svg
    assert "174 EUR million - src" in svg
    parse_svg(svg)
    known_only = charts.funding_bars([charts.Bar("Known", 174.0, "src")], "Funding")
    assert "fill='url(#hatch-funding)'" not in known_only


def test_heatmap_hatches_missing_cells():
    svg = charts.rank_heatmap(
        ["F1"],
        ["A", "B"],
        [charts.HeatCell("F1", "A", 5, 10), charts.HeatCell("F1", "B", None, None)],
        "t",
    )
    body = svg.split("</defs>", 1)[1]
    legend_hatches = 1
    assert body.count("fill='url(#hatch-heatmap)'") == 1 + legend_hatches
    assert "no data" in svg


def test_ramp_colour_best_and_worst_differ():
    best, worst = charts.ramp_colour(1, 140), charts.ramp_colour(140, 140)
    assert best != worst
    assert best == charts.BLUE_RAMP[0] and worst == charts.BLUE_RAMP[-1]
    assert charts.ramp_colour(70, 140) == charts.BLUE_RAMP[2]


def test_timeline_marks_errata_with_an_outlined_diamond_and_colours_by_category():
    points = [
        charts.TimelinePoint(2019.2, "KAZ", "20 March 2019: election", True, "events"),
        charts.TimelinePoint(2007.0, "EU", "2007: strategy", False, "law and policy"),
    ]
    svg = charts.timeline(points, ["EU", "KAZ"], "Events")
    root = parse_svg(svg)
    markers = [e for e in root.iter() if e.find(f"{SVG}title") is not None and e.tag != f"{SVG}svg"]
    diamond = next(m for m in markers if m.tag == f"{SVG}path")
    circle = next(m for m in markers if m.tag == f"{SVG}circle")
    assert diamond.get("stroke-width") == "2.5" and circle.get("stroke-width") is None
    assert diamond.get("fill") != circle.get("fill")  # two families, two colours
    assert "has an erratum" in root.find(f"{SVG}desc").text
    legend = "".join(root.itertext())
    assert "law and policy" in legend and "events" in legend


# --- Parquet export --------------------------------------------------------------------------


def tiny_arrow(**overrides) -> pyarrow.Table:
    columns = {
        "tags": [["x", "y"], []],  # out of order on purpose: the spec fixes the order
        "id": [1, 2],
        "name": ["a", "b"],
        "amount": [Decimal("1.50"), None],
        "day": [dt.date(2022, 2, 1), None],
        "flag": [True, None],
    }
    columns.update(overrides)
    return pyarrow.table(columns)


def tiny_table(con, **overrides) -> str:
    """TINY's rows in a DuckDB table typed by the spec, as the marts are."""
    duck.load_frame(con, "marts", TINY, tiny_arrow(**overrides).to_pandas())
    return ordered_select("marts", TINY)


def test_copy_parquet_uses_the_spec_schema_and_metadata(tmp_path):
    path = tmp_path / "tiny.parquet"
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert copy_parquet(con, tiny_table(con), TINY, path, {"run": "abc"}) == 2
    written = pq.read_schema(path)
    expected = TINY.arrow_schema()
    assert [(f.name, f.type) for f in written] == [(f.name, f.type) for f in expected]
    assert written.field("name").metadata[b"description"] == b"A name."
    assert written.metadata[b"provenance"] == b'{"run": "abc"}'
    assert written.metadata[b"table"] == b"marts.tiny"
    assert pq.read_table(path).column("amount").to_pylist() == [Decimal("1.50"), None]
    assert read_back_problems(path, TINY, 2) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.parquet", "w.duckdb"]


def test_copy_parquet_is_byte_identical_on_rewrite(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        select = tiny_table(con)
        copy_parquet(con, select, TINY, tmp_path / "a.parquet", {"run": "abc"})
        copy_parquet(con, select, TINY, tmp_path / "b.parquet", {"run": "abc"})
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_read_back_refuses_a_file_whose_types_or_rows_differ_from_the_spec(tmp_path):
    path = tmp_path / "drift.parquet"
    with duckdb.connect() as con:
        con.execute(f"COPY (SELECT 'one' AS id, 'a' AS name) TO '{path}' (FORMAT parquet)")
    problems = read_back_problems(path, TINY, 2)
    assert any("schema differs" in p for p in problems)
    assert any("1 rows" in p for p in problems)


# --- release ---------------------------------------------------------------------------------


def finished_build(layout: WarehouseLayout, run_id: str):
    build = start_build(layout, run_id)
    build.db_path.write_bytes(run_id.encode())
    (build.exports_dir / "tiny.parquet").write_bytes(b"parquet of " + run_id.encode())
    (build.reports_dir / "summary.md").write_text(f"report of {run_id}\n")
    return build


def test_start_build_is_empty_and_private(tmp_path):
    layout = WarehouseLayout(tmp_path / "wh")
    build = start_build(layout, "run-1")
    (build.exports_dir / "stale").write_text("x")
    build = start_build(layout, "run-1")
    assert build.directory == layout.builds_dir / "run-1"
    assert sorted(p.name for p in build.directory.iterdir()) == ["exports", "reports"]
    assert list(build.exports_dir.iterdir()) == []
    assert layout.current_release() is None


def test_publish_points_current_and_public_links_at_the_release(tmp_path):
    layout = WarehouseLayout(tmp_path / "wh")
    release = publish(layout, finished_build(layout, "run-1"), {"run_id": "run-1"}, keep=2)
    assert release.parent == layout.releases_dir
    assert layout.current_release() == release.resolve()
    assert not (layout.builds_dir / "run-1").exists()
    assert layout.published_db.read_bytes() == b"run-1"
    assert (layout.root / "exports" / "tiny.parquet").read_bytes() == b"parquet of run-1"
    assert (layout.root / "reports" / "summary.md").read_text() == "report of run-1\n"
    for name in (DB_NAME, "exports", "reports", "current"):
        link = layout.root / name
        assert link.is_symlink() and not os.path.isabs(os.readlink(link)), "links are relative"
    assert '"run_id": "run-1"' in (release / "manifest.json").read_text()


def test_publish_keeps_only_the_last_releases(tmp_path):
    layout = WarehouseLayout(tmp_path / "wh")
    releases = [
        publish(layout, finished_build(layout, f"run-{i}"), {}, keep=2) for i in range(1, 4)
    ]
    assert layout.releases() == releases[1:]
    assert layout.current_release() == releases[-1].resolve()
    assert layout.published_db.read_bytes() == b"run-3"


def test_publish_refuses_keep_below_one(tmp_path):
    layout = WarehouseLayout(tmp_path / "wh")
    with pytest.raises(ValueError, match="at least 1"):
        publish(layout, finished_build(layout, "run-1"), {}, keep=0)


@pytest.mark.parametrize("name", [DB_NAME, "exports", "reports"])
def test_publish_refuses_to_replace_a_regular_file(tmp_path, name):
    layout = WarehouseLayout(tmp_path / "wh")
    layout.root.mkdir()
    (layout.root / name).write_text("someone's own file")
    with pytest.raises(FileExistsError, match="not the link to the published state"):
        publish(layout, finished_build(layout, "run-1"), {}, keep=2)
    assert (layout.root / name).read_text() == "someone's own file"


def test_prune_stale_builds_removes_only_old_builds(tmp_path):
    layout = WarehouseLayout(tmp_path / "wh")
    start_build(layout, "killed-run")
    prune_stale_builds(layout)
    assert (layout.builds_dir / "killed-run").is_dir(), "a fresh build may still be running"
    prune_stale_builds(layout, now=time.time() + STALE_BUILD_SECONDS + 60)
    assert list(layout.builds_dir.iterdir()) == []


# --- DuckDB ----------------------------------------------------------------------------------


def test_load_frame_types_columns_as_the_spec_says(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        assert duck.load_frame(con, "raw", TINY, tiny_frame()) == 2
        described = con.execute("DESCRIBE raw.tiny").fetchall()
        rows = con.execute("SELECT * FROM raw.tiny ORDER BY id").fetchall()
    assert [(r[0], r[1], r[2]) for r in described] == [
        ("id", "INTEGER", "NO"),
        ("name", "VARCHAR", "NO"),
        ("amount", "DECIMAL(18,2)", "YES"),
        ("day", "DATE", "YES"),
        ("tags", "VARCHAR[]", "NO"),
        ("flag", "BOOLEAN", "YES"),
    ]
    assert rows == [
        (1, "a", None, None, [], None),
        (2, "b", Decimal("1.50"), dt.date(2022, 2, 1), ["x", "y"], True),
    ]


def test_load_frame_replaces_the_previous_rows(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        duck.load_frame(con, "raw", TINY, tiny_frame())
        one_row = tiny_frame().iloc[:1]
        assert duck.load_frame(con, "raw", TINY, one_row) == 1


def test_load_frame_refuses_a_value_of_the_wrong_type(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        with pytest.raises(duckdb.ConversionException):
            duck.load_frame(con, "raw", TINY, tiny_frame(day=["2022-02-30", None]))


MART = TableSpec(
    name="tiny_mart",
    description="A mart built from raw.tiny.",
    fields=(
        Field("id", INT, "Key."),
        Field("label", STRING, "Name and tag count."),
        Field("amount", DECIMAL, "Amount.", True),
    ),
    primary_key=("id",),
)


def test_build_typed_table_from_sql_fixes_columns_order_and_types(tmp_path, monkeypatch):
    (tmp_path / "sql" / "marts").mkdir(parents=True)
    (tmp_path / "sql" / "marts" / "tiny_mart.sql").write_text(
        "select name || ':' || len(tags) as label, amount * 2 as amount, id, 'dropped' as extra\n"
        "from raw.tiny\n"
    )
    monkeypatch.setattr(paths, "SQL_DIR", tmp_path / "sql")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        duck.load_frame(con, "raw", TINY, tiny_frame())
        assert duck.build_typed_table_from_sql(con, "marts", MART) == 2
        described = con.execute("DESCRIBE marts.tiny_mart").fetchall()
        frame = duck.read_frame(con, "marts", MART)
    assert [(r[0], r[1]) for r in described] == [
        ("id", "INTEGER"),
        ("label", "VARCHAR"),
        ("amount", "DECIMAL(18,2)"),
    ]
    assert frame["id"].tolist() == [1, 2]
    assert frame["label"].tolist() == ["a:0", "b:2"]
    assert frame["amount"].tolist()[1] == Decimal("3.00")
    assert str(frame["id"].dtype) == "Int64"
