"""The report on tiny hand-made mart frames (tests/report_frames.py): findings first with
verdict badges, the paper's tables in the paper's order with WJP's names beside its labels,
funding as marts.funding_totals decides it, the timeline, one money format and one country
order, links only to anchors and http(s) URLs, escaping of hostile text in both formats,
vocabularies from the specs (a new value never breaks the render), determinism, and the
code's shape (templates, no module over 300 lines, templates in the report's version)."""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from pipeline.transforms import report
from pipeline.transforms.report import blocks, charts, render
from pipeline.transforms.report.sections import funding, paper_tables, timeline
from pipeline.transforms.report.sections.findings import findings_section
from pipeline.transforms.report.words import BADGE_COLOURS, money
from tests.report_frames import (
    HOSTILE,
    claims_frame,
    funding_frame,
    indicators_frame,
    report_inputs,
    timeline_frame,
    totals_frame,
)

REPORT_PACKAGE = Path(report.__file__).parent
CHARTS_PACKAGE = Path(charts.__file__).parent


def section(build, **overrides):
    return build(report_inputs(**overrides))


def tables_of(sec) -> list[blocks.Table]:
    return [b for b in sec.blocks if isinstance(b, blocks.Table)]


# --- findings first -----------------------------------------------------------------------


def test_the_report_opens_with_the_findings_and_their_badges():
    built = report.build_report(report_inputs())
    html = built.html
    assert html.index('id="findings"') < html.index("<nav") < html.index('id="table1"')
    counts, findings = [
        b for b in findings_section(report_inputs()).blocks if isinstance(b, blocks.Items)
    ]
    # every verdict of the spec, in the spec's order, with colour, icon and word
    assert [e[0].word for e in counts.entries[:4]] == [
        "supported",
        "partly supported",
        "contradicted",
        "not checkable",
    ]
    assert [blocks.plain(e[2]) for e in counts.entries[:4]] == [
        "0 claims",
        "1 claim",
        "1 claim",
        "0 claims",
    ]
    # contradictions first, each linking to its evidence
    assert [e[0].word for e in findings.entries] == ["contradicted", "partly supported"]
    assert findings.entries[0][-1] == blocks.Link("evidence", "#claim-clm_a")
    assert 'id="claim-clm_a"' in html and "badge badge-bad" in html
    assert "✗</span> contradicted" in html


def test_a_verdict_the_spec_adds_is_shown_neutral_never_a_key_error():
    claims = claims_frame().assign(verdict=["partly_supported", "disputed_by_new_rule"])
    built = report.build_report(report_inputs(paper_claims=claims))
    assert "badge badge-neutral" in built.html and "disputed by new rule" in built.html


def test_badge_text_contrasts_at_least_4_5_to_1():
    for tone, colour in BADGE_COLOURS.items():
        assert charts.contrast("#ffffff", colour) >= 4.5, tone
    css = (REPORT_PACKAGE / "templates" / "style.css").read_text(encoding="utf-8")
    for tone, colour in BADGE_COLOURS.items():
        assert f".badge-{tone}{{background:{colour}}}" in css


# --- the paper's tables -------------------------------------------------------------------


def test_table1_is_rebuilt_in_the_papers_order_with_wjps_names_beside_its_labels():
    sec = section(paper_tables.table1_section)
    (table,) = tables_of(sec)
    assert table.headers == [
        "The paper's label",
        "WJP's factor",
        "Kazakhstan",
        "Kyrgyzstan",
        "Tajikistan",
    ]
    assert table.texts == [
        [
            "Global rating",
            "WJP Rule of Law Index overall score",
            "65 (72 in 2021)",
            "100 (99 in 2021)",
            "–",
        ],
        ["Government influence", "Constraints on Government Powers", "106", "104", "–"],
        ["Corruption", "Absence of Corruption", "62", "120", "–"],
    ]
    assert [c.numeric for c in table.columns] == [False, False, True, True, True]
    # the mistranslation said once, with its source
    note = sec.blocks[0].text
    assert "'Government aid' is WJP's Open Government" in note and "2022" in note


def test_best_and_worst_factors_name_both_vocabularies():
    sec = section(paper_tables.table1_section)
    lines = [
        blocks.plain(e) for e in next(b for b in sec.blocks if isinstance(b, blocks.Items)).entries
    ]
    assert lines[0] == (
        "Kazakhstan: best Corruption (WJP: Absence of Corruption), rank 62, worst Government "
        "influence (WJP: Constraints on Government Powers), rank 106; overall rank 72 in 2021 "
        "to 65 in 2022 (up 7 places)."
    )
    assert lines[2] == "Tajikistan: no data in the paper's Table 1 (2022)."


def test_table2_is_rebuilt_as_rank_over_n_ranked_per_scope():
    (table,) = tables_of(section(paper_tables.table2_section))
    assert table.headers[2:] == [
        "Region (Eastern Europe and Central Asia)",
        "Income group (above average income group)",
        "Global (all countries in the rating)",
    ]
    assert table.texts == [
        ["Government influence", "Constraints on Government Powers", "9/14", "35/42", "106/140"]
    ]


def test_a_factor_the_crosswalk_lacks_comes_last_never_a_key_error():
    frame = indicators_frame()
    frame.loc[frame["factor_code"] == "F2", "factor_code"] = "F9"
    (table,) = tables_of(section(paper_tables.table1_section, indicators=frame))
    assert table.texts[-1][0] == "Corruption"


# --- funding ------------------------------------------------------------------------------


def test_funding_shows_the_figure_the_mart_chose_whatever_its_rule():
    """The report never chooses: with the press figure chosen by the mart, it says so."""
    totals = totals_frame().assign(
        total_eur=[Decimal("184000000.00")],
        claim_id_used=["kgz_b"],
        claim_ids_left_out=[["kgz_a"]],
        left_out_reasons=["kgz_a: a stated total wins"],
    )
    sec = section(funding.funding_section, funding_totals=totals)
    totals_table = tables_of(sec)[0]
    assert totals_table.texts[0][:3] == [
        "Kyrgyzstan",
        "€184 million",
        "Bilateral assistance (Title of press)",
    ]
    assert "Bilateral assistance (Title of src): a stated total wins" in totals_table.texts[0][3]
    chart = next(b for b in sec.blocks if isinstance(b, blocks.Chart))
    assert chart.figure.wide.count("class='bar chosen'") == 1
    assert chart.figure.wide.count("class='bar left-out'") == 1


def test_unknown_amounts_are_listed_with_their_reason_never_drawn():
    sec = section(funding.funding_section)
    chart = next(b for b in sec.blocks if isinstance(b, blocks.Chart))
    assert "url(#hatch-funding)" not in chart.figure.wide.split("</defs>", 1)[1]
    # the totals' one recipient (Kyrgyzstan): its two claims with an amount, nothing else
    assert chart.figure.wide.count("class='bar ") == 2
    unknown = [b for b in sec.blocks if isinstance(b, blocks.Items) and b.css == "unknown"][0]
    assert [blocks.plain(e) for e in unknown.entries] == [
        "Turkmenistan, Bilateral assistance: unknown. No figure was found Source: no source found."
    ]


def test_not_eligible_is_said_as_such():
    frame = funding_frame()
    frame.loc[frame["claim_id"] == "tkm", "amount_qualifier"] = "not_eligible"
    html = report.build_report(report_inputs(funding=frame)).html
    assert "Bilateral assistance: not eligible." in html


def test_reasons_are_keyed_by_the_claims_they_are_about():
    assert funding.reasons_by_claim("None given. a: one; b_c: two; three", ["b_c", "a"]) == (
        "None given.",
        {"a": "one", "b_c": "two; three"},
    )


# --- one voice ----------------------------------------------------------------------------


def test_one_money_format_everywhere():
    built = report.build_report(report_inputs())
    text = built.html + built.markdown + "".join(built.charts.values())
    assert "€174 million" in built.html and "€251 million" in built.markdown
    assert "EUR million" not in text and "174,000,000" not in text
    assert money(Decimal("1100000000")) == "€1,100 million"
    assert money(Decimal("1500000")) == "€1.5 million"


def test_countries_follow_the_papers_order_everywhere():
    """The paper's Table 1 columns (the fixture's: Kazakhstan, Kyrgyzstan, Tajikistan) order
    every list of states: the table, V-Dem's panels, coverage."""
    data = report_inputs()
    sections = {s.anchor: s for s in report.build_sections(data)}
    (table1,) = tables_of(sections["table1"])
    assert table1.headers[2:] == ["Kazakhstan", "Kyrgyzstan", "Tajikistan"]
    coverage = tables_of(sections["coverage"])[0]
    assert [row[0] for row in coverage.texts] == ["Kazakhstan", "Tajikistan"]
    order = report.words.country_order(data.indicators, data.countries)
    assert order == ["KAZ", "KGZ", "TJK"]


def test_no_markdown_syntax_reaches_the_html():
    claims = claims_frame().assign(paper_quote=["Kuldysheva *et al.* 2021", "**42**(2)"])
    html = report.build_report(report_inputs(paper_claims=claims)).html
    assert "<em>et al.</em>" in html and "<em>42</em>" in html
    body = html.split("<body>", 1)[1]
    assert "*et al.*" not in body and "**42**" not in body


def test_urls_are_links_and_only_http_ones():
    assert blocks.link("a", "https://example.org/x") == blocks.Link("a", "https://example.org/x")
    assert blocks.link("a", "javascript:alert(1)") == "a"
    assert blocks.link("a", "data:text/html,x") == "a"
    html = report.build_report(report_inputs()).html
    assert '<a href="https://example.org/src">' in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs and all(h.startswith(("#", "http://", "https://")) for h in hrefs)


def test_timeline_draws_periods_as_spans_and_all_five_states_once():
    events = timeline_frame("Met.")
    events.loc[1, "date_as_printed"] = "between 2007 and 2019"
    countries = report_inputs().countries
    assert timeline.period_end("between 2007 and 2019") == 2019
    assert timeline.where(["KAZ", "KGZ", "TJK"], None, {}, ["KAZ", "KGZ", "TJK"]) == (
        "all five Central Asian states"
    )
    sec = section(timeline.timeline_section, timeline=events, countries=countries)
    chart = next(b for b in sec.blocks if isinstance(b, blocks.Chart))
    for svg in (chart.figure.wide, chart.figure.narrow):
        assert svg.count("class='span'") == 1
        assert svg.count("<g class='marker") == 2  # each event drawn once
        assert "2. Council | meeting" in svg and "has an erratum" in svg
    (table,) = tables_of(sec)
    assert table.texts[1][:4] == ["2", "2022-03", "Kazakhstan", "meeting"]


def test_every_chart_has_a_title_a_subtitle_with_its_unit_and_a_linked_source():
    sections = report.build_sections(report_inputs())
    found = [b for s in sections for b in s.blocks if isinstance(b, blocks.Chart)]
    assert {c.name for c in found} == {
        "rank_heatmap",
        "kazakhstan_positions",
        "vdem_democracy",
        "funding_bars",
        "timeline",
    }
    for chart in found:
        assert chart.title and chart.subtitle, chart.name
        assert blocks.plain(chart.source).startswith(("Source", "Sources")), chart.name
    units = {c.name: c.subtitle for c in found}
    assert "€ million" in units["funding_bars"] and "0 (least) to 1" in units["vdem_democracy"]
    assert "rank" in units["rank_heatmap"].lower()


# --- escaping and the page ----------------------------------------------------------------


def test_html_escapes_hostile_text_everywhere():
    indicators = indicators_frame().assign(paper_label=HOSTILE)
    frame = funding_frame().assign(recipient_name=HOSTILE)
    claims = claims_frame().assign(paper_quote=HOSTILE)
    built = report.build_report(
        report_inputs(indicators=indicators, funding=frame, paper_claims=claims)
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in built.html
    assert "<script" not in built.html.lower()
    assert "<script" not in built.markdown.lower()
    assert "&lt;script&gt;" in built.markdown
    assert all("<script" not in svg for svg in built.charts.values())


def test_markdown_escapes_table_pipes_and_link_syntax():
    built = report.build_report(report_inputs())
    assert "Council \\| meeting" in built.markdown
    row = next(line for line in built.markdown.splitlines() if line.startswith("| 2 | 2022"))
    cells = row.replace("\\|", "").strip("|").split("|")
    assert len(cells) == 8, "an escaped pipe must not add a table column"
    assert render.md_escape("[x](http://a) ![i](b)") == "\\[x\\](http://a) !\\[i\\](b)"


def test_report_is_deterministic_and_writes_both_layouts_of_each_chart():
    first = report.build_report(report_inputs())
    second = report.build_report(report_inputs())
    assert (first.markdown, first.html, first.charts) == (
        second.markdown,
        second.html,
        second.charts,
    )
    names = {"rank_heatmap", "kazakhstan_positions", "vdem_democracy", "funding_bars", "timeline"}
    assert set(first.charts) == names | {f"{n}-narrow" for n in names}


def test_html_is_self_contained_with_its_policy_print_and_dark_styles():
    html = report.build_report(report_inputs()).html
    assert html.startswith("<!DOCTYPE html>")
    assert "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'" in html
    assert "<script" not in html and "<link" not in html and " src=" not in html
    assert "@media print" in html and "details::details-content" in html
    assert "prefers-color-scheme:dark" in html


def test_long_tables_fold_and_wide_text_tables_get_the_card_layout():
    html = report.build_report(report_inputs()).html
    assert "<details><summary>Show the table: Events (date as precise" in html
    assert '<table class="wide"><caption>Every claim with an amount' in html
    assert '<table class="wide"><caption>Global rank per factor' in html
    assert "<table><caption>Cells per table, scope and status." in html


# --- the code's shape ---------------------------------------------------------------------


def test_no_report_or_chart_module_is_over_300_lines():
    modules = [*REPORT_PACKAGE.rglob("*.py"), *CHARTS_PACKAGE.rglob("*.py")]
    long = {p.name: n for p in modules if (n := len(p.read_text().splitlines())) > 300}
    assert modules and long == {}


def test_every_section_has_its_module_and_the_templates_are_jinja():
    names = {p.stem for p in (REPORT_PACKAGE / "sections").glob("*.py")} - {"__init__"}
    assert len(names) >= 8
    templates = {p.name for p in (REPORT_PACKAGE / "templates").iterdir()}
    assert {"report.html.j2", "report.md.j2", "blocks.html.j2", "blocks.md.j2"} <= templates
    assert render._HTML.autoescape and render._MARKDOWN.autoescape


def test_editing_a_template_changes_the_reports_code_version(tmp_path):
    from pipeline.asset_versions import own_versions
    from pipeline.lineage import REPORT, build_graph
    from pipeline.settings import MODELS_DIR, REPO_ROOT

    graph = build_graph(REPO_ROOT / "raw", MODELS_DIR)
    before = own_versions(graph)[REPORT]
    template = REPORT_PACKAGE / "templates" / "style.css"
    original = template.read_bytes()
    try:
        template.write_bytes(original + b"\n/* edited */\n")
        assert own_versions(graph)[REPORT] != before
    finally:
        template.write_bytes(original)


def test_vocabularies_come_from_the_specs_and_raw_files():
    vocabulary = report_inputs().vocabulary
    assert vocabulary.verdicts == ("supported", "partly_supported", "contradicted", "not_checkable")
    assert [f.code for f in vocabulary.factors][:3] == ["overall", "F1", "F2"]
    assert vocabulary.regimes[3] == "liberal democracy"
    new = replace(vocabulary, regimes={**vocabulary.regimes, 4: "a new type"})
    vdem = report_inputs().vdem
    vdem.loc[vdem["factor_code"] == "v2x_regime", "score"] = 4.0
    html = report.build_report(report_inputs(vocabulary=new, vdem=vdem)).html
    assert "a new type" in html


@pytest.mark.parametrize("category", ["meeting", "a_category_nobody_listed"])
def test_any_event_category_renders(category):
    events = timeline_frame("Met.").assign(category=category)
    html = report.build_report(report_inputs(timeline=events)).html
    assert category.replace("_", " ") in html


def test_a_category_added_in_raw_is_checked_built_and_rendered_by_the_report(tmp_path):
    """The event categories are defined once, in raw/reference/event_categories.csv: a new one
    there is accepted for an event, carried by marts.timeline and named by the report; one
    that is not there is refused."""
    from pipeline.lineage import build_graph
    from pipeline.settings import MODELS_DIR
    from pipeline.transforms.report.load_inputs import load_report_inputs
    from tests.bad_inputs import SetCell
    from tests.harness import copy_raw, rechecksum, run_steps

    raw_dir = copy_raw(tmp_path)
    event = "ev_2022_karakalpakstan_protests"
    events = raw_dir / "paper/timeline_events.csv"
    events.write_bytes(SetCell("event_id", event, "category", "court_ruling")(events.read_bytes()))
    rechecksum(events)
    refused = run_steps(raw_dir, tmp_path / "before", marts=("timeline",)).failed()
    assert "every value is a known event_categories.category" in "".join(refused.values())

    categories = raw_dir / "reference/event_categories.csv"
    with categories.open("a", encoding="utf-8") as handle:
        handle.write("court_ruling,ruling of a court,A court's ruling on a case.\n")
    rechecksum(categories)
    steps = run_steps(raw_dir, tmp_path / "after")
    assert steps.failed() == {}
    assert steps.query("SELECT category FROM marts.timeline WHERE event_id = ?", [event]) == [
        ("court_ruling",)
    ]
    marts = {m.name: m for m in build_graph(raw_dir, MODELS_DIR).marts}
    built = report.build_report(load_report_inputs(steps.con, marts))
    for text in (built.html, built.markdown):
        row = next(line for line in text.splitlines() if "ruling of a court" in line)
        assert "Karakalpakstan" in row  # the event's own row of the timeline's table


def test_frames_have_the_marts_columns():
    assert list(totals_frame().columns)[:3] == [
        "recipient_code",
        "recipient_name",
        "period_start_year",
    ]
    assert isinstance(funding_frame(), pd.DataFrame)
