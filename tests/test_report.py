"""The report and its charts on tiny hand-made mart frames: the paper's tables rebuilt in the
paper's order, headline facts, funding, timeline, escaping of hostile text, determinism, and
the SVG charts' accessibility and marks."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

import pandas as pd
import pytest

from pipeline.lineage import build_graph
from pipeline.settings import MODELS_DIR, REPO_ROOT
from pipeline.transforms import charts, report

HOSTILE = "<script>alert(1)</script>"
_MARTS = {m.name: m.spec for m in build_graph(REPO_ROOT / "raw", MODELS_DIR).marts}
INDICATORS, FUNDING, TIMELINE = _MARTS["indicators"], _MARTS["funding"], _MARTS["timeline"]


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
        t1("KGZ", 2022, "overall", 100),
        t1("KGZ", 2022, "F1", 104),
        t1("KGZ", 2022, "F2", 120),
        t1("KGZ", 2021, "overall", 99, None),
        t1("KAZ", 2022, "F2", 62),
        t1("KAZ", 2022, "overall", 65),
        t1("KAZ", 2022, "F1", 106),
        t1("KAZ", 2021, "overall", 72, None),
        t1("TJK", 2022, "overall", None),
        t1("TJK", 2022, "F1", None),
        t1("TJK", 2022, "F2", None),
        t2("F1", "region", 9, 14, "Eastern Europe and Central Asia"),
        t2("F1", "income_group", 35, 42, "above average income group"),
        t2("F1", "global", 106, 140, "all countries in the rating"),
    ]
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
        event(
            "ev_2022_b",
            "2022-03-01",
            "month",
            "Council | meeting",
            description,
            ["KAZ"],
            erratum="It met in June.",
            citations=["chaney2022b"],
            date_as_printed="March 2022",
        ),
        event("ev_2007_a", "2007-01-01", "year", "Strategy", "The initial strategy."),
    ]
    return pd.DataFrame(rows, columns=TIMELINE.column_names)


def report_inputs(**overrides) -> report.ReportInputs:
    inputs = {
        "indicators": indicators_frame(),
        "funding": funding_frame(),
        "timeline": timeline_frame(),
        "references": pd.DataFrame({"reference_key": ["a", "b", "c"]}),
        "source_files": pd.DataFrame(
            {
                "kind": ["transcription", "download"],
                "path": ["raw/paper/table1_ranks.csv", "https://example.org/roli.json"],
                "sha256": ["4ea9176f93391ab44b49c6dd36db85488e12de3a", "4edb3107" * 8],
                "title": ["Paper Table 1", "WJP snapshot"],
                "status": ["loaded", "loaded"],
                "obtained_from": ["repository", "cache"],
                "status_reason": [None, "from the cache"],
            }
        ),
    }
    inputs |= {
        "countries": pd.DataFrame(
            {
                "country_iso3": ["KAZ", "KGZ", "TJK"],
                "country_name": ["Kazakhstan", "Kyrgyzstan", "Tajikistan"],
                "is_central_asia": [True, True, True],
            }
        ),
        "paper_verification": pd.DataFrame(
            {
                "paper_table": ["Table 1"],
                "scope": ["global"],
                "verification": ["verified"],
                "cells": [11],
            }
        ),
        "wjp_snapshot": pd.DataFrame(
            [
                {
                    "status": "unavailable",
                    "reason": "offline",
                    "url": "http://127.0.0.1:9/x",
                    "sha256": "0" * 64,
                    "obtained_from": None,
                }
            ]
        ),
        "wjp_region_averages": pd.DataFrame(
            columns=["edition_year", "edition_label", "region", "measure_code", "average_score"]
        ),
    }
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
        [
            "2022-03",
            "KAZ",
            "meeting",
            "Council | meeting",
            "Met.",
            "chaney2022b",
            "It met in June.",
        ],
    ]


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
