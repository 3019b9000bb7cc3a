"""The report's charts as SVG: text alternatives, escaping, round ticks where their values are,
legends with only the entries that occur, funding bars (chosen solid, left out outlined, no
unknown drawn), the timeline (labels, spans, errata as diamonds), contrast of text on fills
and no text under 11 px in either layout."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pipeline.transforms.report import charts
from tests.report_frames import HOSTILE


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


def test_funding_bars_draw_the_chosen_figure_solid_and_left_out_claims_outlined():
    groups = [
        charts.BarGroup(
            "Kyrgyzstan",
            [
                charts.Bar("EEAS", 174.0, True, "the figure to use"),
                charts.Bar("Press", 184.0, False, "left out: disputes"),
            ],
        ),
        charts.BarGroup("Turkmenistan", [], "No amount for 1 claim (unknown): listed below."),
    ]
    figure = charts.funding_bars(groups, "Funding", "€ million", lambda v: f"€{v:,.0f} million")
    for root in both(figure):
        bars = [r for r in root.iter(f"{SVG}rect") if "bar" in (r.get("class") or "")]
        assert [r.get("class") for r in bars] == ["bar chosen", "bar left-out"]
        assert bars[1].get("fill") == "#ffffff" and bars[1].get("stroke-dasharray")
        texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
        assert "€174 million" in texts and "No amount for 1 claim" in texts
        # one scale from zero: the axis's first tick is 0
        ticks = [t for t in root.iter(f"{SVG}text") if t.get("class") == "tick x"]
        assert float(ticks[0].get("data-value")) == 0
    assert "hatch-funding)" not in figure.wide.split("</defs>", 1)[1]


def test_heatmap_hatches_missing_cells_and_its_legend_lists_only_what_occurs():
    figure = charts.rank_heatmap(
        ["F1"],
        ["A", "B"],
        [charts.HeatCell("F1", "A", 5, 10), charts.HeatCell("F1", "B", None, None)],
        "t",
    )
    body = figure.wide.split("</defs>", 1)[1]
    legend_hatches = 1
    assert body.count("fill='url(#hatch-heatmap)'") == 1 + legend_hatches
    legend = "".join(parse_svg(figure.wide).find(f"{SVG}g[@class='legend']").itertext())
    assert "no data" in legend and "3rd fifth" in legend and "best fifth" not in legend
    full = charts.rank_heatmap(["F1"], ["A"], [charts.HeatCell("F1", "A", 1, 10)], "t")
    assert "no data" not in "".join(
        parse_svg(full.wide).find(f"{SVG}g[@class='legend']").itertext()
    )


def test_text_on_a_fill_contrasts_at_least_4_5_to_1():
    for colour in charts.BLUE_RAMP:
        assert charts.contrast(charts.ink_on(colour), colour) >= 4.5, colour


def test_no_legend_reaches_past_its_chart():
    figure = charts.rank_heatmap(
        ["F1", "F2"],
        ["Region", "Income", "Global"],
        [charts.HeatCell("F1", "Region", 1, 14), charts.HeatCell("F2", "Global", 140, 140)],
        "t",
    )
    for root in both(figure):
        width = float(root.get("viewBox").split()[2])
        for text in root.find(f"{SVG}g[@class='legend']").iter(f"{SVG}text"):
            assert float(text.get("x")) + charts.text_width(text.text, 11) <= width + 0.5


def test_ramp_colour_best_and_worst_differ():
    best, worst = charts.ramp_colour(1, 140), charts.ramp_colour(140, 140)
    assert best != worst
    assert best == charts.BLUE_RAMP[0] and worst == charts.BLUE_RAMP[-1]
    assert charts.ramp_colour(70, 140) == charts.BLUE_RAMP[2]


def event(number, start, label, erratum=False, end=None, where="Kazakhstan"):
    return charts.Event(start, end, str(int(start)), label, where, erratum, number)


def test_timeline_labels_every_event_and_marks_errata_with_a_diamond_and_words():
    events = [event(2, 2019.2, "election", True), event(1, 2007.0, "strategy", end=2019)]
    for root in both(charts.timeline(events, "Events")):
        diamond = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "marker erratum")
        dot = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "marker")
        assert diamond.get("data-number") == "2" and dot.get("data-number") == "1"
        assert diamond.find(f"{SVG}path").get("stroke") == "#000000"
        texts = [t.text for t in root.iter(f"{SVG}text")]
        assert "1. strategy" in texts and "2. election" in texts
        assert any("has an erratum" in (t or "") for t in texts)
        assert len([r for r in root.iter(f"{SVG}rect") if r.get("class") == "span"]) == 1


def test_timeline_rows_never_overlap_even_on_one_day():
    same_day = [event(n, 2021.5, f"event {n}", n % 2 == 0) for n in range(1, 8)]
    figure = charts.timeline([*same_day, event(8, 1953.7, "treaty")], "t")
    for svg in (figure.wide, figure.narrow):
        root = parse_svg(svg)
        ys = sorted(
            float(t.get("y"))
            for t in root.iter(f"{SVG}text")
            if (t.text or "")[:1].isdigit() and ". " in (t.text or "")
        )
        assert len(ys) == 8 and all(b - a >= 12 for a, b in zip(ys, ys[1:], strict=False))


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
        texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
        assert "Eastern Europe and Central" in texts  # named (wrapped at the end, or legend)
        assert "not at zero" in texts  # the value axis starts at 0.4


def test_every_text_is_at_least_11px_in_both_layouts():
    figures = [
        charts.line_chart(
            [charts.Series("A", [(2015, 0.5), (2016, 0.6)])], {2015: "2015", 2016: "2016"}, "t"
        ),
        charts.funding_bars(
            [charts.BarGroup("G", [charts.Bar("A long label for a bar", 10.0, True, "src")])],
            "t",
            "€ million",
            str,
        ),
        charts.timeline([charts.Event(2020.0, 2022, "2020", "label", "KAZ", True, 1)], "t"),
        charts.rank_heatmap(["Row"], ["Col"], [charts.HeatCell("Row", "Col", 1, 2)], "t"),
    ]
    for figure in figures:
        for root in both(figure):
            sizes = [float(t.get("font-size")) for t in root.iter(f"{SVG}text")]
            assert sizes and min(sizes) >= charts.SMALL
