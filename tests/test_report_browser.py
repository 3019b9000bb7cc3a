"""The HTML report as a reader sees it: loaded from disk in real headless Chromium (Debian's
/usr/bin/chromium, driven by Playwright; no browser is ever downloaded).

The page must load with no console error and fetch nothing but itself; it must render at a
desktop width (1280 px) and a phone width (390 px) without horizontal scrolling (wide tables
scroll inside their own wrappers); the text the browser renders in the Table 1 and Table 2
sections must equal the paper's tables rebuilt independently here from marts.indicators; every
chart must carry its own text alternative; and the table of contents must lead somewhere.

Screenshots are kept as test artifacts in <repo>/test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import CHROMIUM_FLAGS, require_chromium

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
    "trends",
    "funding",
    "timeline",
    "sources",
    "changes",
)
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


@pytest.mark.parametrize("width", WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def test_full_page_screenshot_and_no_horizontal_scroll(browser, report, width):
    loaded = open_report(browser, report, width)
    page = loaded.page
    try:
        assert page.evaluate("window.innerWidth") == width
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"report-{width}.png"
        page.screenshot(path=str(shot), full_page=True)  # kept even when an assert fails

        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        offenders = page.evaluate(
            """limit => [...document.querySelectorAll('body *')]
                .filter(e => !e.closest('.table-wrap'))
                .filter(e => e.getBoundingClientRect().right > limit)
                .slice(0, 10)
                .map(e => `${e.tagName.toLowerCase()}#${e.id}.${e.className} `
                          + `right=${Math.round(e.getBoundingClientRect().right)}`)""",
            width + SCROLL_TOLERANCE_PX,
        )
        assert scroll_width <= width + SCROLL_TOLERANCE_PX, (
            f"at {width} px the page scrolls horizontally (scrollWidth {scroll_width}); "
            f"elements past the right edge outside a .table-wrap: {offenders}"
        )

        data = shot.read_bytes()
        shot_width, shot_height = png_size(data)
        assert shot_width == width
        # The whole report is several screens long, and a rendered page does not compress to
        # nothing (a blank page of this size is a few kB).
        assert shot_height > 3 * VIEWPORT_HEIGHT, f"{shot} is only {shot_height} px tall"
        assert len(data) > 100_000, f"{shot} is only {len(data)} bytes: blank page?"
        assert loaded.console_errors == [] and loaded.page_errors == []
    finally:
        page.close()


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
            "() => [...document.querySelectorAll('svg')].map("
            "svg => [svg.closest('section').id, svg.querySelector(':scope > title').textContent])"
        )
        wrong = []
        for node_id, (section, title) in zip(node_ids["nodeIds"], titles, strict=True):
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
