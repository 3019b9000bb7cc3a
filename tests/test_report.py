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
CLAIMS, ERRATA, TOTALS = _MARTS["paper_claims"], _MARTS["errata"], _MARTS["funding_totals"]
COVERAGE, RANKS = _MARTS["coverage"], _MARTS["wjp_rank_comparison"]


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
        "instrument_covers": "bilateral",
        "overlaps_claim_ids": list(kw.get("overlaps", disputed)),
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


def totals_frame() -> pd.DataFrame:
    rows = [
        {
            "recipient_code": "KGZ",
            "recipient_name": "Kyrgyzstan",
            "period_start_year": 2014,
            "period_end_year": 2020,
            "total_eur": Decimal("174000000.00"),
            "total_missing_reason": None,
            "claim_id_used": "kgz_a",
            "source_id": "src",
            "confidence": "official",
            "claim_ids_left_out": ["kgz_b"],
            "left_out_reasons": "kgz_b: disputes the chosen figure (press source)",
            "part_of_totals_of": ["CENTRAL_ASIA"],
            "rule": "One claim, never a sum.",
        }
    ]
    return pd.DataFrame(rows, columns=TOTALS.column_names)


def claims_frame() -> pd.DataFrame:
    rows = [
        {
            "claim_id": "clm_b",
            "paper_quote": "Only Kyrgyzstan holds free elections.",
            "source_locator": "Results",
            "country_iso3s": ["KGZ"],
            "checked_against": ["vdem_ert"],
            "rule_kind": "only_democracy",
            "evidence": "KGZ 2023: v2x_regime 1",
            "verdict": "partly_supported",
            "rule": "Supported if ...",
            "note": None,
            "erratum": None,
        },
        {
            "claim_id": "clm_a",
            "paper_quote": "Relations are 30 years old in 2021.",
            "source_locator": "Results",
            "country_iso3s": [],
            "checked_against": ["errata"],
            "rule_kind": "erratum",
            "evidence": "err_x (confirmed)",
            "verdict": "contradicted",
            "rule": "Contradicted by a confirmed erratum.",
            "note": None,
            "erratum": "The 30th anniversary fell in 2023.",
        },
    ]
    return pd.DataFrame(rows, columns=CLAIMS.column_names)


def errata_frame() -> pd.DataFrame:
    row = dict.fromkeys(ERRATA.column_names)
    row |= {
        "erratum_id": "err_x",
        "kind": "erratum",
        "target_mart": "timeline",
        "target_key": "ev_2022_b",
        "paper_says": "In March 2022 ...",
        "erratum": "It met in June.",
        "confidence": "confirmed",
        "source_urls": ["https://example.org/a"],
        "source_descriptions": ["A page"],
    }
    return pd.DataFrame([row], columns=ERRATA.column_names)


def vdem_frame() -> pd.DataFrame:
    rows = []
    for year, value, regime in ((2000, 0.3, 1), (2001, 0.35, 2)):
        base = indicator("paper_table1", "x", "KAZ", year, "overall", None)
        rows.append(
            base
            | {
                "source_id": "vdem_ert",
                "factor_code": "v2x_polyarchy",
                "score": value,
                "score_low": value - 0.02,
                "score_high": value + 0.02,
            }
        )
        rows.append(
            base | {"source_id": "vdem_ert", "factor_code": "v2x_regime", "score": float(regime)}
        )
    return pd.DataFrame(rows, columns=INDICATORS.column_names)


def coverage_frame() -> pd.DataFrame:
    def row(mart, source, code, first, last, status="covered", reason=None):
        years = 0 if first is None else last - first + 1
        return {
            "mart": mart,
            "source_id": source,
            "country_code": code,
            "country_name": TABLE1_COLUMNS[code][1],
            "is_central_asia": True,
            "first_year": first,
            "last_year": last,
            "years": years,
            "row_count": years,
            "value_rows": years,
            "status": status,
            "missing_reason": reason,
        }

    rows = [
        row("indicators", "wjp_roli", "KAZ", 2015, 2025),
        row("indicators", "wjp_roli", "TJK", None, None, "missing", "not in the index"),
        row("timeline", "paper", "KAZ", 2007, 2023),
    ]
    return pd.DataFrame(rows, columns=COVERAGE.column_names)


def ranks_frame() -> pd.DataFrame:
    def row(code, computed, published, agreement, explanation=None):
        return {
            "source_id": "wjp_roli",
            "country_iso3": code,
            "country_name": code,
            "edition_year": 2025,
            "measure_code": "F1",
            "scope": "global",
            "scope_name": "all",
            "score": 0.5,
            "computed_rank": computed,
            "computed_n_ranked": 143,
            "published_rank": published,
            "published_n_ranked": 143,
            "tied_with": [],
            "agreement": agreement,
            "explanation": explanation,
        }

    rows = [row("KAZ", 1, 1, "same"), row("UZB", 2, 3, "tie_order", "Tied at 0.5 with BGD.")]
    return pd.DataFrame(rows, columns=RANKS.column_names)


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
                "license": ["Facts", "CC BY 4.0"],
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
    inputs |= {
        "paper_claims": claims_frame(),
        "errata": errata_frame(),
        "vdem": vdem_frame(),
        "funding_totals": totals_frame(),
        "coverage": coverage_frame(),
        "rank_comparison": ranks_frame(),
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
    assert "<td data-label='Kazakhstan'>65 (72 in 2021)</td>" in built.html
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
        "Kazakhstan: best factor Absence of Corruption (rank 62), worst factor Constraints on "
        "Government Powers (rank 106); overall rank 72 in 2021 to 65 in 2022 (up 7 places).",
        "Kyrgyzstan: best factor Constraints on Government Powers (rank 104), worst factor "
        "Absence of Corruption (rank 120); overall rank 99 in 2021 to 100 in 2022 (down 1 "
        "place).",
        "Tajikistan: no data in the paper's Table 1 (2022).",
    ]


def test_headlines_name_every_factor_of_a_tie():
    rows = [t1("KAZ", 2022, "overall", 65), t1("KAZ", 2022, "F1", 64), t1("KAZ", 2022, "F2", 64)]
    frame = pd.DataFrame(rows, columns=INDICATORS.column_names)
    line, _source = [p.text for p in report.headline_section(frame).blocks]
    assert line.startswith(
        "Kazakhstan: best factors Constraints on Government Powers and Absence of Corruption "
        "(both rank 64), worst factors Constraints on Government Powers and Absence of "
        "Corruption (both rank 64);"
    )


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


def test_funding_gives_one_safe_figure_and_separates_known_from_unknown():
    summary, advice, totals, chart, known, unknown = report.funding_section(
        funding_frame(), totals_frame()
    ).blocks
    assert summary.text == (
        "3 claims give an amount and 1 do not. Sources disagree for: Kyrgyzstan; both claims "
        "are shown, none is chosen."
    )
    assert "adding them up double-counts" in advice.text
    assert totals.rows == [
        [
            "Kyrgyzstan",
            "€174 million",
            "kgz_a",
            "kgz_b: disputes the chosen figure (press source)",
            "CENTRAL_ASIA",
        ]
    ]
    assert [row[0] for row in known.rows] == ["Kyrgyzstan", "Kyrgyzstan", "Tajikistan"]
    assert known.rows[0][2] == "174,000,000.00"
    assert known.rows[0][5] == "yes: kgz_b" and known.rows[2][5] == "no"
    assert known.rows[0][6] == "kgz_b" and known.rows[2][6] == "none"
    assert known.rows[0][4] == "Title of src — https://example.org/src — web page"
    assert known.folded and unknown.folded and not totals.folded
    assert unknown.rows == [
        [
            "Turkmenistan",
            "Bilateral assistance",
            "unknown",
            "No figure was found",
            "no source found",
        ]
    ]
    assert "source: no source found" in chart.figure.wide


def test_funding_without_disagreement_says_so():
    frame = funding_frame()
    frame = frame[frame["claim_id"].isin(["tjk", "tkm"])]
    summary = report.funding_section(frame, totals_frame()).blocks[0]
    assert summary.text == "1 claims give an amount and 1 do not. No two sources disagree."


def test_timeline_rows_are_numbered_in_date_order_at_their_precision():
    countries = report_inputs().countries
    paragraph, chart, table = report.timeline_section(timeline_frame("Met."), countries).blocks
    assert paragraph.text.startswith("2 dated events, numbered in date order")
    assert table.folded and table.headers[0] == "#"
    assert table.rows == [
        ["1", "2007", "—", "meeting", "Strategy", "The initial strategy.", "none", ""],
        [
            "2",
            "2022-03",
            "KAZ",
            "meeting",
            "Council | meeting",
            "Met.",
            "chaney2022b",
            "It met in June.",
        ],
    ]
    # the numbers key the chart's markers to the table, in both layouts
    for svg in (chart.figure.wide, chart.figure.narrow):
        numbers = [m.findtext(f"{SVG}text") for m in markers_of(svg)]
        assert sorted(numbers) == ["1", "2"]


def test_primary_sources_section_lists_claims_by_verdict_errata_and_vdem():
    section = report.primary_sources_section(
        claims_frame(), errata_frame(), vdem_frame(), report_inputs().countries
    )
    summary, verdicts, details, errata_text, errata, vdem_text, chart, values = section.blocks
    assert summary.text.startswith(
        "2 claims of the paper that a primary source held here can check: 0 supported, "
        "1 partly supported, 1 contradicted, 0 not checkable."
    )
    assert verdicts.rows == [
        ["Only Kyrgyzstan holds free elections.", "partly supported"],
        ["Relations are 30 years old in 2021.", "contradicted"],
    ]
    assert details.folded and details.rows[1][4] == "The 30th anniversary fell in 2023."
    assert errata.rows == [
        [
            "timeline: ev_2022_b",
            "In March 2022 ...",
            "It met in June.",
            "confirmed",
            "https://example.org/a",
        ]
    ]
    assert "V-Dem" in vdem_text.text
    assert values.rows == [
        ["Kazakhstan", "2000", "0.300", "0.280-0.320", "electoral autocracy"],
        ["Kazakhstan", "2001", "0.350", "0.330-0.370", "electoral democracy"],
    ]
    assert "Kazakhstan: 2000 0.300 (0.280-0.320, electoral autocracy)" in chart.figure.wide


def test_without_vdem_the_section_says_so():
    empty = vdem_frame().iloc[0:0]
    section = report.primary_sources_section(
        claims_frame(), errata_frame(), empty, report_inputs().countries
    )
    assert section.blocks[-1].text.startswith("V-Dem was not available in this refresh")


def test_coverage_names_years_or_why_missing():
    _, indicators, other = report.coverage_section(coverage_frame()).blocks
    assert indicators.headers == ["Country", "wjp_roli"]
    assert indicators.rows == [
        ["Kazakhstan", "2015-2025 (11 years)"],
        ["Tajikistan", "missing: not in the index"],
    ]
    assert other.rows == [["timeline", "Kazakhstan", "2007-2023", "17"]]


def test_verification_states_the_published_rank_comparison():
    inputs = report_inputs()
    section = report.verification_section(
        inputs.indicators, inputs.paper_verification, inputs.wjp_snapshot, ranks_frame()
    )
    texts = [b.text for b in section.blocks if isinstance(b, report.Paragraph)]
    assert (
        "1 of 2 agree; 1 differ only in the order WJP gives countries tied at 4 decimals"
        in texts[-1]
    )
    assert section.blocks[-1].rows == [["UZB", "F1", "global", "2", "3", "Tied at 0.5 with BGD."]]


def test_html_escapes_hostile_text_everywhere():
    indicators = indicators_frame().assign(paper_label=HOSTILE)
    funding = funding_frame().assign(recipient_name=HOSTILE)
    claims = claims_frame().assign(paper_quote=HOSTILE)
    built = report.build_report(
        report_inputs(indicators=indicators, funding=funding, paper_claims=claims)
    )
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
    assert len(cells) == 8, "an escaped pipe must not add a table column"


def test_report_is_deterministic_and_writes_both_layouts_of_each_chart():
    first = report.build_report(report_inputs())
    second = report.build_report(report_inputs())
    assert first.markdown == second.markdown
    assert first.html == second.html
    assert first.charts == second.charts
    names = {"rank_heatmap", "kazakhstan_positions", "vdem_democracy", "funding_bars", "timeline"}
    assert set(first.charts) == names | {f"{n}-narrow" for n in names}


def test_html_is_self_contained():
    html = report.build_report(report_inputs()).html
    assert html.startswith("<!DOCTYPE html>")
    assert "default-src 'none'" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert "<link" not in html and "src=" not in html


def test_long_tables_fold_and_wide_text_tables_get_the_card_layout():
    html = report.build_report(report_inputs()).html
    assert "<details><summary>Show the table: Events (date as precise" in html
    assert "<table class='wide'><caption>Every claim with an amount" in html
    # a grid of short values keeps the table layout inside its labelled scroll container
    assert (
        "<div class='table-scroll' role='region' tabindex='0' aria-label='Rank/number ranked."
        in html
    )
    assert "<table><caption>Rank/number ranked." in html


# --- charts ----------------------------------------------------------------------------------


def parse_svg(svg: str) -> ET.Element:
    return ET.fromstring(svg)


SVG = "{http://www.w3.org/2000/svg}"


def markers_of(svg: str) -> list[ET.Element]:
    return [g for g in parse_svg(svg).iter(f"{SVG}g") if "marker" in (g.get("class") or "")]


def both(figure: charts.Figure) -> list[ET.Element]:
    return [parse_svg(figure.wide), parse_svg(figure.narrow)]


def test_heatmap_has_title_and_desc_and_is_well_formed():
    figure = charts.rank_heatmap(
        ["Corruption"],
        ["Kazakhstan"],
        [charts.HeatCell("Corruption", "Kazakhstan", 62, 140)],
        "Ranks & more",
    )
    for root in both(figure):
        assert root.find(f"{SVG}title").text == "Ranks & more"
        assert (
            root.find(f"{SVG}desc").text == "Rank heat map. Kazakhstan, Corruption: rank 62 of 140"
        )
        assert root.get("role") == "img"


def test_chart_labels_are_escaped():
    figure = charts.rank_heatmap(
        [HOSTILE], ["<b>x</b>"], [charts.HeatCell(HOSTILE, "<b>x</b>", 1, 2)], HOSTILE
    )
    for svg in (figure.wide, figure.narrow):
        assert "<script" not in svg and "<b>" not in svg
        assert "&lt;script&gt;" in svg and "&lt;b&gt;" in svg
    texts = " ".join(t.text for t in parse_svg(figure.wide).iter(f"{SVG}text"))
    assert "<b>x</b>" in texts and "alert(1)</script>" in texts


def test_funding_bars_hatch_only_unknown_amounts():
    bars = [charts.Bar("Known", 174.0, "src"), charts.Bar("Unknown", None, "no source found")]
    figure = charts.funding_bars(bars, "Funding")
    assert figure.wide.count("fill='url(#hatch-funding)'") == 1
    assert "source: no source found" in figure.wide and "174 EUR million" in figure.wide
    both(figure)
    known_only = charts.funding_bars([charts.Bar("Known", 174.0, "src")], "Funding")
    assert "fill='url(#hatch-funding)'" not in known_only.wide


def test_heatmap_hatches_missing_cells():
    figure = charts.rank_heatmap(
        ["F1"],
        ["A", "B"],
        [charts.HeatCell("F1", "A", 5, 10), charts.HeatCell("F1", "B", None, None)],
        "t",
    )
    body = figure.wide.split("</defs>", 1)[1]
    legend_hatches = 1
    assert body.count("fill='url(#hatch-heatmap)'") == 1 + legend_hatches
    assert "no data" in figure.wide


def test_ramp_colour_best_and_worst_differ():
    best, worst = charts.ramp_colour(1, 140), charts.ramp_colour(140, 140)
    assert best != worst
    assert best == charts.BLUE_RAMP[0] and worst == charts.BLUE_RAMP[-1]
    assert charts.ramp_colour(70, 140) == charts.BLUE_RAMP[2]


def test_timeline_marks_errata_with_an_outlined_diamond_and_colours_by_category():
    points = [
        charts.TimelinePoint(2019.2, "KAZ", "20 March 2019: election", True, "events", 2),
        charts.TimelinePoint(2007.0, "EU", "2007: strategy", False, "law and policy", 1),
    ]
    for root in both(charts.timeline(points, ["EU", "KAZ"], "Events")):
        diamond = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "marker erratum")
        circle = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "marker")
        assert diamond.find(f"{SVG}path").get("stroke-width") == "2.5"
        assert diamond.findtext(f"{SVG}text") == "2" and circle.findtext(f"{SVG}text") == "1"
        assert diamond.find(f"{SVG}path").get("fill") != circle.find(f"{SVG}circle").get("fill")
        assert "has an erratum" in root.find(f"{SVG}desc").text
        legend = "".join(root.itertext())
        assert "law and policy" in legend and "events" in legend


def marker_boxes(svg: str) -> dict[str, tuple[float, float, float]]:
    """Centre and radius of each timeline marker, by its number."""
    boxes = {}
    for g in markers_of(svg):
        text = g.find(f"{SVG}text")
        x, y = float(text.get("x")), float(text.get("y")) - 4
        boxes[g.findtext(f"{SVG}text")] = (x, y, charts.MARKER_R + 1)
    return boxes


def test_timeline_markers_never_overlap_even_on_one_day():
    same_day = [
        charts.TimelinePoint(2021.5, "KAZ", f"event {n}", n % 2 == 0, "events", n)
        for n in range(1, 8)
    ]
    early = [charts.TimelinePoint(1953.7, "EU", "treaty", False, "law", 8)]
    figure = charts.timeline(same_day + early, ["EU", "KAZ"], "t", ["EU", "KAZ"])
    for svg in (figure.wide, figure.narrow):
        boxes = list(marker_boxes(svg).values())
        assert len(boxes) == 8
        for i, (x1, y1, r1) in enumerate(boxes):
            for x2, y2, r2 in boxes[i + 1 :]:
                assert (x1 - x2) ** 2 + (y1 - y2) ** 2 >= (r1 + r2) ** 2 - 1e-6
    assert "axis break: before 2007" in figure.wide


def test_timeline_axis_breaks_before_2007_and_ticks_sit_in_date_order():
    points = [
        charts.TimelinePoint(1953.7, "EU", "a", False, "law", 1),
        charts.TimelinePoint(1965.2, "EU", "b", False, "law", 2),
        charts.TimelinePoint(2014.0, "EU", "c", False, "law", 3),
        charts.TimelinePoint(2023.0, "EU", "d", False, "law", 4),
    ]
    root = parse_svg(charts.timeline(points, ["EU"], "t").wide)
    ticks = [
        (int(t.get("data-value")), float(t.get("x")))
        for t in root.iter(f"{SVG}text")
        if t.get("class") == "tick"
    ]
    years = [year for year, _ in ticks]
    assert years[:2] == [1953, 1965] and 2007 not in years[:2]
    assert years == sorted(years) and [x for _, x in ticks] == sorted(x for _, x in ticks)
    # the linear part: equal years apart are equal distances apart
    linear = [(y, x) for y, x in ticks if y >= 2007]
    pairs = zip(linear, linear[1:], strict=False)
    per_year = [(x2 - x1) / (y2 - y1) for (y1, x1), (y2, x2) in pairs]
    assert max(per_year) - min(per_year) <= 0.2  # positions are written to 0.1 px


@pytest.mark.parametrize(
    ("low", "high"), [(0.4464, 0.5928), (0.1, 0.9), (0.52, 0.53), (2000, 2024), (0, 0.47)]
)
def test_ticks_are_round_values_covering_the_data(low, high):
    ticks = charts.nice_ticks(low, high)
    step = ticks[1] - ticks[0]
    assert ticks[0] <= low and ticks[-1] >= high
    assert 2 <= len(ticks) <= 6
    assert any(abs(step - m * 10**k) < 1e-9 for m in (1, 2, 2.5, 5) for k in range(-3, 4))
    assert all(abs(t / step - round(t / step)) < 1e-6 for t in ticks)


def test_line_chart_ticks_are_placed_where_their_values_are():
    series = [
        charts.Series("Kazakhstan", [(2015, 0.4464), (2016, 0.4928), (2022, 0.5283)]),
        charts.Series(
            "Eastern Europe and Central Asia average", [(2015, 0.51), (2022, 0.55)], True
        ),
    ]
    labels = {2015: "2015", 2016: "2016", 2022: "2022"}
    for root in both(charts.line_chart(series, labels, "Scores")):
        ticks = [t for t in root.iter(f"{SVG}text") if t.get("class") == "tick y"]
        values = [float(t.get("data-value")) for t in ticks]
        shown = [float(t.text) for t in ticks]
        assert shown == values  # the label is the value
        ys = [float(t.get("y")) for t in ticks]
        # equal steps in value are equal steps on the page
        gaps = [b - a for a, b in zip(ys, ys[1:], strict=False)]
        assert max(gaps) - min(gaps) <= 0.2  # positions are written to 0.1 px
        assert len({round(b - a, 9) for a, b in zip(values, values[1:], strict=False)}) == 1
        # every series is named in the legend, none at the end of its line
        texts = [t.text for t in root.iter(f"{SVG}text")]
        assert "Eastern Europe and Central Asia average" in texts


def test_every_text_is_at_least_11px_in_both_layouts():
    figures = [
        charts.line_chart(
            [charts.Series("A", [(2015, 0.5), (2016, 0.6)])], {2015: "2015", 2016: "2016"}, "t"
        ),
        charts.funding_bars([charts.Bar("A long label for a bar", 10.0, "src")], "t"),
        charts.rank_heatmap(["Row"], ["Col"], [charts.HeatCell("Row", "Col", 1, 2)], "t"),
    ]
    for figure in figures:
        for root in both(figure):
            sizes = [float(t.get("font-size")) for t in root.iter(f"{SVG}text")]
            assert sizes and min(sizes) >= charts.SMALL
