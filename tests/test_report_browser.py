"""The HTML report as a reader sees it: loaded from disk in real headless Chromium (Debian's
/usr/bin/chromium, driven by Playwright; no browser is ever downloaded).

The page must load with no console error and fetch nothing but itself; at a desktop width
(1280 px) and a phone width (390 px): no element is wider than the viewport except a table in its
own labelled scroll container (first column kept in view), text tables turn into cards on the
phone, no table hides columns on the desktop, every chart text renders at 11 CSS px or more, no
two chart labels or timeline markers overlap, and axis ticks sit where their values are; long
reference tables are folded under their chart. The text the browser renders in the Table 1 and
Table 2 sections must equal the paper's tables rebuilt independently here from marts.indicators;
every chart must carry its own text alternative; and the table of contents must lead somewhere.

Screenshots are kept as test artifacts in <repo>/test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.harness import CHROMIUM_FLAGS, require_chromium

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
WIDTHS = (1280, 390)
VIEWPORT_HEIGHT = 800
SCROLL_TOLERANCE_PX = 1
NO_DATA = "–"  # en dash, as the paper prints an empty cell
SECTIONS = (
    "headlines",
    "table1",
    "table2",
    "verification",
    "primary-sources",
    "trends",
    "funding",
    "timeline",
    "coverage",
    "sources",
    "changes",
)
MIN_CHART_FONT_PX = 11
# "Table 1, row 2 \"Government influence\", column 1 \"Kazakhstan\"" (+ optional suffix)
LOCATOR = re.compile(r'^Table (\d), row (\d+) "([^"]*)", column (\d+) "([^"]*)"')

CELL_TEXTS_JS = """
selector => {
    const table = document.querySelector(selector);
    if (!table) return null;
    return [...table.rows].map(tr => [...tr.cells].map(cell => cell.innerText.trim()));
}
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(executable), args=list(CHROMIUM_FLAGS)
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def report(built) -> Path:
    path = built.layout.root / "reports" / "summary.html"
    assert path.is_file(), f"the refresh wrote no report at {path}"
    return path


class LoadedPage:
    """A page with everything it logged, threw and requested while loading the report."""

    def __init__(self, page: Page):
        self.page = page
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("request", lambda request: self.requests.append(request.url))

    @property
    def width(self) -> int:
        return self.page.viewport_size["width"]

    def _console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location})")


def open_report(browser: Browser, report: Path, width: int) -> LoadedPage:
    page = browser.new_page(viewport={"width": width, "height": VIEWPORT_HEIGHT})
    loaded = LoadedPage(page)
    response = page.goto(report.as_uri(), wait_until="load")
    assert response is not None and response.ok, f"{report} did not load"
    page.wait_for_load_state("networkidle")
    return loaded


@pytest.fixture(scope="module")
def desktop(browser, report) -> Iterator[LoadedPage]:
    loaded = open_report(browser, report, 1280)
    yield loaded
    loaded.page.close()


# --- loading: no errors, nothing fetched -------------------------------------------------------


def test_report_loads_without_errors_and_fetches_nothing_but_itself(desktop, report):
    assert desktop.console_errors == [], "console errors:\n" + "\n".join(desktop.console_errors)
    assert desktop.page_errors == [], "uncaught page errors:\n" + "\n".join(desktop.page_errors)
    itself = {report.as_uri(), report.resolve().as_uri()}
    # The listener was live: the report's own request was seen.
    assert itself & set(desktop.requests), f"the report's own request not seen: {desktop.requests}"
    foreign = [
        url
        for url in desktop.requests
        if not url.startswith("data:") and not (url.startswith("file://") and url in itself)
    ]
    assert foreign == [], f"the report requested other resources: {foreign}"


# --- layout at two widths ----------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (no imaging library needed)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    assert data[12:16] == b"IHDR", "PNG without an IHDR chunk first"
    return struct.unpack(">II", data[16:24])


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def sized(request, browser, report) -> Iterator[LoadedPage]:
    loaded = open_report(browser, report, request.param)
    yield loaded
    loaded.page.close()


def test_full_page_screenshot_and_no_horizontal_scroll(sized):
    page, width = sized.page, sized.width
    assert page.evaluate("window.innerWidth") == width
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"report-{width}.png"
    page.screenshot(path=str(shot), full_page=True)  # kept even when an assert fails

    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    offenders = page.evaluate(
        """limit => [...document.querySelectorAll('body *')]
            .filter(e => !e.closest('.table-scroll'))
            .filter(e => e.getBoundingClientRect().right > limit)
            .slice(0, 10)
            .map(e => `${e.tagName.toLowerCase()}#${e.id}.${e.className} `
                      + `right=${Math.round(e.getBoundingClientRect().right)}`)""",
        width + SCROLL_TOLERANCE_PX,
    )
    assert scroll_width <= width + SCROLL_TOLERANCE_PX, (
        f"at {width} px the page scrolls horizontally (scrollWidth {scroll_width}); "
        f"elements past the right edge outside a .table-scroll: {offenders}"
    )

    data = shot.read_bytes()
    shot_width, shot_height = png_size(data)
    assert shot_width == width
    # The whole report is several screens long, and a rendered page does not compress to
    # nothing (a blank page of this size is a few kB).
    assert shot_height > 3 * VIEWPORT_HEIGHT, f"{shot} is only {shot_height} px tall"
    assert len(data) > 100_000, f"{shot} is only {len(data)} bytes: blank page?"
    assert sized.console_errors == [] and sized.page_errors == []


# --- the tables as rendered, against the marts -------------------------------------------------


def rendered_table(page: Page, section: str) -> list[list[str]]:
    cells = page.evaluate(CELL_TEXTS_JS, f"section#{section} table")
    assert cells, f"no table rendered in section #{section}"
    return cells


def paper_cells(built, source_id: str) -> list[dict]:
    """The paper's cells in marts.indicators, placed by their source_locator (row, column)."""
    rows = built.query(
        "SELECT country_iso3, country_name, factor_code, paper_label, edition_year, scope, "
        "scope_name, rank, n_ranked, missing_reason, source_locator "
        "FROM marts.indicators WHERE source_id = ?",
        [source_id],
    )
    keys = (
        "iso3",
        "country",
        "factor",
        "label",
        "year",
        "scope",
        "scope_name",
        "rank",
        "n_ranked",
        "missing_reason",
        "locator",
    )
    cells = []
    for row in rows:
        cell = dict(zip(keys, row, strict=True))
        match = LOCATOR.match(cell["locator"])
        assert match, f"unexpected source_locator {cell['locator']!r}"
        cell["row"], cell["column"] = int(match.group(2)), int(match.group(4))
        cells.append(cell)
    assert cells, f"marts.indicators has no {source_id} rows"
    return cells


def expected_table1(built, edition: int = 2022) -> list[list[str]]:
    """Table 1 from the mart: one row per factor (in the paper's row order), one column per
    country (paper's column order); 'rank (previous rank in previous year)' or '–'."""
    cells = paper_cells(built, "paper_table1")
    current = [c for c in cells if c["year"] == edition]
    previous = {(c["iso3"], c["factor"]): c for c in cells if c["year"] < edition}
    columns = sorted({(c["column"], c["country"]) for c in current})
    rows = sorted({(c["row"], c["label"]) for c in current})
    at = {(c["row"], c["column"]): c for c in current}
    assert len(at) == len(current) == len(rows) * len(columns), "Table 1 cells are not a grid"
    grid = [["Factor (paper's label)", *(name for _, name in columns)]]
    for row_number, label in rows:
        line = [label]
        for column_number, _ in columns:
            cell = at[(row_number, column_number)]
            if cell["rank"] is None:
                assert cell["missing_reason"], f"empty cell without a reason: {cell['locator']}"
                line.append(NO_DATA)
                continue
            text = str(cell["rank"])
            before = previous.get((cell["iso3"], cell["factor"]))
            if before is not None:
                text += f" ({before['rank']} in {before['year']})"
            line.append(text)
        grid.append(line)
    return grid


def expected_table2(built) -> tuple[list[tuple[str, str]], list[list[str]]]:
    """Table 2 from the mart: (scope, scope_name) per column, and rows 'rank/n_ranked'."""
    cells = paper_cells(built, "paper_table2")
    columns = sorted({(c["column"], c["scope"], c["scope_name"]) for c in cells})
    rows = sorted({(c["row"], c["label"]) for c in cells})
    at = {(c["row"], c["column"]): c for c in cells}
    assert len(at) == len(cells) == len(rows) * len(columns), "Table 2 cells are not a grid"
    body = []
    for row_number, label in rows:
        line = [label]
        for column_number, _, _ in columns:
            cell = at[(row_number, column_number)]
            line.append(NO_DATA if cell["rank"] is None else f"{cell['rank']}/{cell['n_ranked']}")
        body.append(line)
    return [(scope, name) for _, scope, name in columns], body


def test_table1_as_rendered_equals_the_mart(desktop, built):
    rendered = rendered_table(desktop.page, "table1")
    expected = expected_table1(built)
    assert rendered == expected
    # Known values of the paper, so that a wrong mart cannot agree with a wrong report.
    header = rendered[0]
    by_label = {row[0]: row for row in rendered[1:]}
    assert header[1:] == ["Kazakhstan", "Uzbekistan", "Tajikistan", "Kyrgyzstan", "Turkmenistan"]
    assert by_label["Global rating"][header.index("Kazakhstan")] == "65 (66 in 2021)"
    assert by_label["Global rating"][header.index("Kyrgyzstan")] == "100 (99 in 2021)"
    assert by_label["Government influence"][header.index("Kazakhstan")] == "106"
    assert by_label["Property protection"][header.index("Uzbekistan")] == "16"
    assert by_label["Criminal justice"][header.index("Tajikistan")] == NO_DATA
    assert len(rendered) == 1 + 9


def test_table2_as_rendered_equals_the_mart(desktop, built):
    rendered = rendered_table(desktop.page, "table2")
    scopes, body = expected_table2(built)
    header = rendered[0]
    assert header[0] == "Factor (paper's label)"
    assert len(header) == 1 + len(scopes)
    for text, (scope, name) in zip(header[1:], scopes, strict=True):
        assert scope.replace("_", " ") in text and name in text, (text, scope, name)
    assert rendered[1:] == body
    by_label = {row[0]: row[1:] for row in rendered[1:]}
    assert by_label["Government influence"] == ["9/14", "35/42", "106/140"]
    assert by_label["Civil justice"] == ["1/14", "8/42", "43/140"]
    assert len(by_label) == 8


# --- charts and navigation ----------------------------------------------------------------------


def test_every_chart_has_a_text_alternative(desktop):
    charts = desktop.page.evaluate(
        """() => [...document.querySelectorAll('svg')].map(svg => ({
            section: svg.closest('section') ? svg.closest('section').id : null,
            role: svg.getAttribute('role'),
            title: (svg.querySelector(':scope > title') || {}).textContent || '',
            desc: (svg.querySelector(':scope > desc') || {}).textContent || '',
        }))"""
    )
    assert len(charts) >= 5, f"expected the report's charts, found {len(charts)} <svg>"
    for chart in charts:
        where = f"<svg> in #{chart['section']}"
        assert chart["role"] == "img", f"{where} lacks role='img'"
        assert chart["title"].strip(), f"{where} has no <title>"
        assert chart["desc"].strip(), f"{where} has no <desc>"
    assert {c["section"] for c in charts} >= {"table1", "table2", "trends", "funding", "timeline"}


def test_each_chart_is_named_by_its_own_title_in_the_accessibility_tree(desktop):
    """What a screen reader announces: Chromium's computed accessible name of every chart must
    start with that chart's own <title> (not another chart's, e.g. through a duplicated id)."""
    page = desktop.page
    cdp = page.context.new_cdp_session(page)
    try:
        root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
        node_ids = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "svg"})
        titles = page.evaluate(
            "() => [...document.querySelectorAll('svg')].map(svg => [svg.closest('section').id, "
            "svg.querySelector(':scope > title').textContent, "
            "svg.getBoundingClientRect().width > 0])"
        )
        wrong = []
        for node_id, (section, title, shown) in zip(node_ids["nodeIds"], titles, strict=True):
            if not shown:  # the other layout of a chart, hidden at this width
                continue
            tree = cdp.send(
                "Accessibility.getPartialAXTree", {"nodeId": node_id, "fetchRelatives": False}
            )
            name = tree["nodes"][0].get("name", {}).get("value", "")
            if not name.startswith(title):
                wrong.append(f"#{section}: title {title!r} but announced as {name[:90]!r}...")
    finally:
        cdp.detach()
    assert not wrong, "charts announced with the wrong name:\n" + "\n".join(wrong)


def test_table_of_contents_links_resolve_to_sections(desktop):
    page = desktop.page
    links = page.evaluate(
        "() => [...document.querySelectorAll('nav a')].map(a => a.getAttribute('href'))"
    )
    assert links == [f"#{anchor}" for anchor in SECTIONS]
    for href in links:
        anchor = href[1:]
        assert page.evaluate(
            "id => { const e = document.getElementById(id); return !!e && e.tagName === 'SECTION'"
            " && !!e.querySelector('h2') }",
            anchor,
        ), f"table of contents link {href} leads to no section with a heading"
        assert page.locator(f"[id='{anchor}']").count() == 1, f"id {anchor!r} is not unique"
    # Following a link moves to its section.
    page.click("nav a[href='#funding']")
    assert page.evaluate("location.hash") == "#funding"
    top = page.evaluate("document.getElementById('funding').getBoundingClientRect().top")
    assert abs(top) < VIEWPORT_HEIGHT / 2


# --- reading on a phone and on a desktop -------------------------------------------------------

VISIBLE_CHARTS_JS = """
() => [...document.querySelectorAll('svg.chart')]
    .filter(svg => svg.getBoundingClientRect().width > 0)
"""


def test_every_chart_text_renders_at_11_px_or_more(sized):
    page, width = sized.page, sized.width
    found = page.evaluate(
        f"""() => ({VISIBLE_CHARTS_JS})().map(svg => {{
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            const sizes = [...svg.querySelectorAll('text')]
                .map(t => parseFloat(t.getAttribute('font-size')) * scale);
            return [svg.closest('section').id, svg.classList.contains('narrow'),
                    sizes.length, Math.min(...sizes)];
        }})"""
    )
    assert len(found) >= 5, f"only {len(found)} charts visible at {width} px"
    assert all(narrow == (width < 960) for _, narrow, _, _ in found), found
    small = [f for f in found if f[3] < MIN_CHART_FONT_PX - 0.01]
    assert not small, f"at {width} px, charts with text under {MIN_CHART_FONT_PX} px: {small}"


def test_no_two_chart_labels_or_markers_overlap(sized):
    page, width = sized.page, sized.width
    overlaps = page.evaluate(
        f"""() => {{
        const hit = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5
            && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
        const found = [];
        for (const svg of ({VISIBLE_CHARTS_JS})()) {{
            const marks = [...svg.querySelectorAll('g.marker')];
            const texts = [...svg.querySelectorAll('text')].filter(t => !t.closest('g.marker'));
            const boxes = [...texts.map(t => [t.textContent, t.getBoundingClientRect()]),
                           ...marks.map(g => ['marker ' + g.textContent,
                                              g.getBoundingClientRect()])];
            for (let i = 0; i < boxes.length; i++)
                for (let j = i + 1; j < boxes.length; j++)
                    if (hit(boxes[i][1], boxes[j][1]))
                        found.push([svg.closest('section').id, boxes[i][0], boxes[j][0]]);
        }}
        return found;
    }}"""
    )
    assert overlaps == [], f"at {width} px, overlapping chart labels: {overlaps[:10]}"


def test_axis_ticks_are_round_values_where_their_values_are(sized):
    page, width = sized.page, sized.width
    axes = page.evaluate(
        f"""() => ({VISIBLE_CHARTS_JS})().flatMap(svg => [...svg.querySelectorAll('g.axis-y')]
            .map(axis => [...axis.querySelectorAll('text.tick')].map(t => {{
                const box = t.getBoundingClientRect();
                return [t.textContent, parseFloat(t.dataset.value), (box.top + box.bottom) / 2];
            }})))"""
    )
    assert axes, f"no value axis visible at {width} px"
    for ticks in axes:
        values = [value for _, value, _ in ticks]
        assert [float(text) for text, _, _ in ticks] == values  # each label is its value
        step = values[1] - values[0]
        assert any(abs(abs(step) - m * 10**k) < 1e-9 for m in (1, 2, 2.5, 5) for k in range(-3, 2))
        # where: the rendered centres are a linear function of the values
        (v0, y0), (v1, y1) = (values[0], ticks[0][2]), (values[-1], ticks[-1][2])
        for _, value, y in ticks:
            assert abs(y0 + (value - v0) * (y1 - y0) / (v1 - v0) - y) < 1.0, ticks


def test_tables_fit_or_scroll_in_their_own_labelled_container(sized):
    page, width = sized.page, sized.width
    tables = page.evaluate(
        """() => [...document.querySelectorAll('table')].map(t => {
            const box = t.closest('.table-scroll');
            const first = t.querySelector('tbody td');
            return {
                caption: t.caption ? t.caption.textContent.slice(0, 50) : '',
                inBox: !!box,
                role: box ? box.getAttribute('role') : null,
                label: box ? box.getAttribute('aria-label') : null,
                scrolls: box ? box.scrollWidth > box.clientWidth + 1 : false,
                cards: t.classList.contains('wide'),
                cellDisplay: first ? getComputedStyle(first).display : null,
                firstSticky: first ? getComputedStyle(first).position === 'sticky' : false,
                folded: !!t.closest('details'),
            };
        })"""
    )
    assert tables
    for table in tables:
        assert table["inBox"] and table["role"] == "region" and table["label"], table
    if width >= 960:
        # nothing hides behind a horizontal scroll on a desktop (the funding table included)
        assert [t["caption"] for t in tables if t["scrolls"]] == []
    else:
        for table in tables:
            if table["cards"]:  # text tables: one card per row, labelled cells, no scrolling
                assert table["cellDisplay"] == "block" and not table["scrolls"], table
            elif table["scrolls"]:  # grids of short values may scroll, first column in view
                assert table["firstSticky"], table


def test_long_reference_tables_are_folded_under_their_chart(desktop):
    folded = desktop.page.evaluate(
        """() => [...document.querySelectorAll('details')].map(d => [
            d.closest('section').id,
            d.querySelector('summary').textContent,
            d.open,
            (d.previousElementSibling || {}).tagName || null,
        ])"""
    )
    by_section = {section for section, *_ in folded}
    assert {"trends", "timeline", "primary-sources", "funding", "sources"} <= by_section
    assert not any(is_open for _, _, is_open, _ in folded)
    for section in ("trends", "timeline"):
        (_, summary, _, before) = next(f for f in folded if f[0] == section)
        assert before == "FIGURE" and summary.startswith("Show the table:"), (section, before)
