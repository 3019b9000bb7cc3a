"""The HTML report as a reader sees it: loaded from disk in real headless Chromium (Debian's
/usr/bin/chromium, driven by Playwright; no browser is ever downloaded).

Two reports: the session build with WJP's and V-Dem's files (`built`) and one without them
(`offline_release`, which also holds every odd but legitimate value of the bad-input corpus).
Each is opened once per width (320, 390, 1280 and 1920 px) in one Chromium per module, and read
in the light and the dark scheme (the page's media switched, not reloaded). At every width, in
both schemes: nothing is wider than the viewport but a table in its own labelled scroll
container, no text renders under 11 CSS px, no legend is cut by its chart's edge, every
visible chart has a visible title and a subtitle with its unit, and text on a fill (badges,
heat-map cells) contrasts at 4.5:1 or more. Printed (print media, and a PDF), every folded
table is open. The funding section's figures equal marts.funding_totals; the paper's tables
as rendered equal the mart; the page fetches nothing and logs no error.

Screenshots are kept as test artifacts in <repo>/test-artifacts/ (git-ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.harness import CHROMIUM_FLAGS, require_chromium

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
WIDTHS = (320, 390, 1280, 1920)
SCHEMES = ("light", "dark")
VIEWPORT_HEIGHT = 800
SCROLL_TOLERANCE_PX = 1
MIN_TEXT_PX = 11
MIN_CONTRAST = 4.5
NO_DATA = "–"
SECTIONS = (
    "findings",
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
# A unit or scale in a chart's subtitle: what its numbers are.
UNIT = re.compile(r"€|rank|score|index|0 \(|date|\b1 = best", re.IGNORECASE)
LOCATOR = re.compile(r'^Table (\d), row (\d+) "([^"]*)", column (\d+) "([^"]*)"')
MONEY = re.compile(r"^€([\d,]+(?:\.\d)?) million$")


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


class LoadedPage:
    """A page with everything it logged, threw and requested while loading the report."""

    def __init__(self, page: Page, name: str):
        self.page, self.name = page, name
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("request", lambda request: self.requests.append(request.url))

    @property
    def width(self) -> int:
        return self.page.viewport_size["width"]


def open_report(browser: Browser, report: Path, width: int, name: str) -> LoadedPage:
    page = browser.new_page(viewport={"width": width, "height": VIEWPORT_HEIGHT})
    loaded = LoadedPage(page, name)
    response = page.goto(report.as_uri(), wait_until="load")
    assert response is not None and response.ok, f"{report} did not load"
    return loaded


def report_of(run) -> Path:
    path = run.layout.root / "reports" / "summary.html"
    assert path.is_file(), f"the refresh wrote no report at {path}"
    return path


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def built_view(request, browser, built) -> Iterator[LoadedPage]:
    loaded = open_report(browser, report_of(built), request.param, "built")
    yield loaded
    loaded.page.close()


@pytest.fixture(scope="module")
def built_desktop(browser, built) -> Iterator[LoadedPage]:
    """The report with the downloads at 1280 px: what is checked once, not per width."""
    loaded = open_report(browser, report_of(built), 1280, "built")
    yield loaded
    loaded.page.close()


@pytest.fixture(scope="module", params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def offline_view(request, browser, offline_release) -> Iterator[LoadedPage]:
    loaded = open_report(browser, report_of(offline_release), request.param, "offline")
    yield loaded
    loaded.page.close()


# --- what a reader sees at every width, light and dark -------------------------------------

VISIBLE = "e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; }"

READING_JS = """
({minText, tolerance}) => {
    const visible = e => { const r = e.getBoundingClientRect();
                           return r.width > 0 && r.height > 0; };
    const width = window.innerWidth;
    const out = {scroll: document.documentElement.scrollWidth, wide: [], small: [],
                 clipped: [], untitled: [], fills: []};
    for (const e of document.querySelectorAll('body *')) {
        if (!e.closest('.table-scroll') && e.getBoundingClientRect().right > width + tolerance)
            out.wide.push(`${e.tagName}.${e.className}`);
    }
    // text under the least size: HTML text by its computed size, SVG text by its size times
    // the chart's scale
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, parent = node.parentElement;
        if (!node.textContent.trim() || !parent || !visible(parent)) continue;
        if (parent.closest('svg') || parent.closest('title, desc, style')) continue;
        const size = parseFloat(getComputedStyle(parent).fontSize);
        if (size < minText - 0.01) out.small.push([node.textContent.slice(0, 30), size]);
    }
    for (const svg of document.querySelectorAll('svg.chart')) {
        if (!visible(svg)) continue;
        const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
        for (const t of svg.querySelectorAll('text')) {
            const size = parseFloat(t.getAttribute('font-size')) * scale;
            if (size < minText - 0.01) out.small.push([t.textContent.slice(0, 30), size]);
        }
        const box = svg.getBoundingClientRect();
        for (const legend of svg.querySelectorAll('g.legend')) {
            const r = legend.getBoundingClientRect();
            if (r.right > box.right + 0.5 || r.left < box.left - 0.5 || r.bottom > box.bottom + 0.5)
                out.clipped.push(svg.closest('section').id);
        }
        for (const t of svg.querySelectorAll('text.on-fill')) {
            let cell = t.previousElementSibling;
            while (cell && cell.tagName !== 'rect') cell = cell.previousElementSibling;
            out.fills.push([t.getAttribute('fill'), cell ? cell.getAttribute('fill') : null,
                            t.textContent]);
        }
    }
    for (const figure of document.querySelectorAll('figure.chart-figure')) {
        if (!visible(figure)) continue;
        const title = figure.querySelector('.chart-title');
        const subtitle = figure.querySelector('.chart-subtitle');
        const shown = [title, subtitle].every(e => e && visible(e) && e.textContent.trim());
        out.untitled.push([figure.id, shown, subtitle ? subtitle.textContent : '']);
    }
    for (const badge of document.querySelectorAll('.badge')) {
        if (!visible(badge)) continue;
        const style = getComputedStyle(badge);
        out.fills.push([style.color, style.backgroundColor, badge.textContent]);
    }
    const body = getComputedStyle(document.body);
    out.fills.push([body.color, getComputedStyle(document.documentElement).backgroundColor,
                    'body text']);
    return out;
}
"""


def _rgb(colour: str) -> tuple[float, float, float]:
    if colour.startswith("#"):
        return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(float(v) for v in re.findall(r"[\d.]+", colour)[:3])


def contrast(a: str, b: str) -> float:
    def luminance(colour):
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in (v / 255 for v in _rgb(colour))
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def check_reading(view: LoadedPage) -> list[str]:
    """Every check of a reader's view, in both schemes; the problems found, in words."""
    page, width, problems = view.page, view.width, []
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        where = f"{view.name} report at {width} px, {scheme}"
        found = page.evaluate(
            READING_JS, {"minText": MIN_TEXT_PX, "tolerance": SCROLL_TOLERANCE_PX}
        )
        if found["scroll"] > width + SCROLL_TOLERANCE_PX:
            problems.append(
                f"{where}: scrolls sideways ({found['scroll']} px): {found['wide'][:5]}"
            )
        if found["small"]:
            problems.append(f"{where}: text under {MIN_TEXT_PX} px: {found['small'][:5]}")
        if found["clipped"]:
            problems.append(f"{where}: legends cut by their chart: {found['clipped']}")
        charts = found["untitled"]
        if len(charts) < 4:
            problems.append(f"{where}: only {len(charts)} charts visible")
        for name, shown, subtitle in charts:
            if not shown or not UNIT.search(subtitle):
                problems.append(f"{where}: {name} lacks a visible title or a unit: {subtitle!r}")
        for ink, fill, text in found["fills"]:
            if fill and fill.startswith(("#", "rgb")) and contrast(ink, fill) < MIN_CONTRAST:
                problems.append(f"{where}: {text!r} {ink} on {fill} is {contrast(ink, fill):.2f}")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"report-{view.name}-{width}-{scheme}.png"))
    page.emulate_media(color_scheme="light")
    problems += [f"{view.name} at {width} px: {e}" for e in view.errors]
    return problems


def test_the_report_with_the_downloads_reads_at_every_width_light_and_dark(built_view):
    problems = check_reading(built_view)
    assert problems == [], "\n".join(problems)


def test_the_report_without_the_downloads_reads_at_every_width_light_and_dark(offline_view):
    problems = check_reading(offline_view)
    assert problems == [], "\n".join(problems)


def test_the_first_screen_shows_the_verdict_counts_and_top_findings(built_desktop):
    page = built_desktop.page
    fold = page.evaluate(
        """() => ({
            counts: [...document.querySelectorAll('.verdict-counts .badge')]
                .map(b => b.getBoundingClientRect().bottom),
            findings: [...document.querySelectorAll('.findings li')]
                .filter(li => li.getBoundingClientRect().bottom <= innerHeight)
                .map(li => li.querySelector('.badge').textContent.trim()),
        })"""
    )
    assert fold["counts"] and max(fold["counts"]) < VIEWPORT_HEIGHT
    assert len(fold["findings"]) >= 3, fold
    assert all(re.match(r"^\W\s\w", badge) for badge in fold["findings"]), fold  # icon, word


# --- printed ----------------------------------------------------------------------------------


def test_printed_every_table_is_open(built_desktop, tmp_path):
    page = built_desktop.page
    closed = page.evaluate(
        "() => [...document.querySelectorAll('details')].filter(d => !d.open).length"
    )
    assert closed >= 5, "the screen folds the long tables"
    page.emulate_media(media="print")
    try:
        hidden = page.evaluate(
            "() => [...document.querySelectorAll('table')].filter(t => "
            "t.getBoundingClientRect().height === 0).map(t => t.caption.textContent)"
        )
        pdf = page.pdf(path=str(tmp_path / "report.pdf"), format="A4")
    finally:
        page.emulate_media(media="screen")
    assert hidden == [], f"tables not printed: {hidden}"
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages >= 20, f"the printed report has {pages} pages: folded tables left out?"


# --- the content as rendered, against the marts ------------------------------------------------


def rendered_rows(page: Page, selector: str) -> list[list[str]]:
    cells = page.evaluate(
        """selector => { const t = document.querySelector(selector); if (!t) return null;
            return [...t.rows].map(tr => [...tr.cells].map(c => c.innerText.trim())); }""",
        selector,
    )
    assert cells, f"no table at {selector}"
    return cells


def test_the_funding_figures_are_marts_funding_totals(built_desktop, built):
    rows = rendered_rows(built_desktop.page, "#funding table")
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Recipient", "Figure to use"]
    shown = {}
    for recipient, figure, *_ in body:
        match = MONEY.match(figure)
        shown[recipient] = Decimal(match.group(1).replace(",", "")) * 1_000_000 if match else None
    mart = dict(built.query("SELECT recipient_name, total_eur FROM marts.funding_totals"))
    assert shown == {
        name: (None if total is None else Decimal(total)) for name, total in mart.items()
    }


def paper_cells(built, source_id: str) -> list[dict]:
    rows = built.query(
        "SELECT country_iso3, country_name, factor_code, paper_label, factor_name, edition_year, "
        "scope, scope_name, rank, n_ranked, source_locator FROM marts.indicators "
        "WHERE source_id = ?",
        [source_id],
    )
    keys = (
        "iso3",
        "country",
        "factor",
        "label",
        "name",
        "year",
        "scope",
        "scope_name",
        "rank",
        "n_ranked",
        "locator",
    )
    cells = []
    for row in rows:
        cell = dict(zip(keys, row, strict=True))
        match = LOCATOR.match(cell["locator"])
        assert match, f"unexpected source_locator {cell['locator']!r}"
        cell["row"], cell["column"] = int(match.group(2)), int(match.group(4))
        cells.append(cell)
    assert cells
    return cells


def test_table1_as_rendered_equals_the_mart(built_desktop, built):
    rendered = rendered_rows(built_desktop.page, "#table1 table")
    cells = paper_cells(built, "paper_table1")
    current = [c for c in cells if c["year"] == 2022]
    previous = {(c["iso3"], c["factor"]): c for c in cells if c["year"] < 2022}
    columns = sorted({(c["column"], c["country"]) for c in current})
    rows = sorted({(c["row"], c["label"], c["factor"]) for c in current})
    at = {(c["row"], c["column"]): c for c in current}
    assert rendered[0] == ["The paper's label", "WJP's factor", *(n for _, n in columns)]
    assert [r[0] for r in rendered[1:]] == [label for _, label, _ in rows]
    for line, (number, _, factor) in zip(rendered[1:], rows, strict=True):
        for text, (column, _) in zip(line[2:], columns, strict=True):
            cell = at[(number, column)]
            expected = NO_DATA if cell["rank"] is None else str(cell["rank"])
            before = previous.get((cell["iso3"], factor))
            if cell["rank"] is not None and before is not None:
                expected += f" ({before['rank']} in {before['year']})"
            assert text == expected
    by_label = {row[0]: row for row in rendered[1:]}
    assert by_label["Property protection"][1] == "Order and Security"
    assert by_label["Government aid"][1] == "Open Government"
    assert rendered[0][2:] == [
        "Kazakhstan",
        "Uzbekistan",
        "Tajikistan",
        "Kyrgyzstan",
        "Turkmenistan",
    ]


def test_table2_as_rendered_equals_the_mart(built_desktop, built):
    rendered = rendered_rows(built_desktop.page, "#table2 table")
    by_label = {row[0]: row[2:] for row in rendered[1:]}
    assert by_label["Government influence"] == ["9/14", "35/42", "106/140"]
    assert by_label["Civil justice"] == ["1/14", "8/42", "43/140"]
    assert len(by_label) == len({c["row"] for c in paper_cells(built, "paper_table2")})


# --- charts, navigation, loading ----------------------------------------------------------------


def test_the_page_fetches_nothing_and_every_chart_has_its_text_alternative(built_desktop, built):
    page, report = built_desktop.page, report_of(built)
    itself = {report.as_uri(), report.resolve().as_uri()}
    foreign = [u for u in built_desktop.requests if not u.startswith("data:") and u not in itself]
    assert foreign == [], f"the report requested other resources: {foreign}"
    charts = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart')].map(svg => [
            svg.closest('section').id, svg.getAttribute('role'),
            (svg.querySelector(':scope > title') || {}).textContent || '',
            (svg.querySelector(':scope > desc') || {}).textContent || ''])"""
    )
    assert {c[0] for c in charts} >= {"table1", "table2", "trends", "funding", "timeline"}
    assert all(role == "img" and title and desc for _, role, title, desc in charts), charts
    links = page.evaluate("() => [...document.querySelectorAll('nav a')].map(a => a.hash)")
    assert links == [f"#{anchor}" for anchor in SECTIONS]
    for anchor in SECTIONS:
        assert page.locator(f"section[id='{anchor}'] h2").count() == 1, anchor
    evidence = page.evaluate(
        "() => [...document.querySelectorAll('.findings a')].map(a => a.hash)"
        ".filter(h => !document.getElementById(h.slice(1)))"
    )
    assert evidence == [], f"findings linking nowhere: {evidence}"


def test_no_two_chart_labels_overlap_and_ticks_sit_where_their_values_are(built_view):
    page = built_view.page
    overlaps = page.evaluate(
        """() => {
        const hit = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5
            && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5;
        const found = [];
        for (const svg of document.querySelectorAll('svg.chart')) {
            if (svg.getBoundingClientRect().width === 0) continue;
            const boxes = [...svg.querySelectorAll('text')].map(t => [t.textContent,
                t.getBoundingClientRect()]).concat([...svg.querySelectorAll('g.marker')]
                .map(g => ['marker', g.getBoundingClientRect()]));
            for (let i = 0; i < boxes.length; i++)
                for (let j = i + 1; j < boxes.length; j++)
                    if (hit(boxes[i][1], boxes[j][1]))
                        found.push([svg.closest('section').id, boxes[i][0], boxes[j][0]]);
        }
        return found; }"""
    )
    assert overlaps == [], f"at {built_view.width} px, overlapping chart labels: {overlaps[:10]}"
    axes = page.evaluate(
        """() => [...document.querySelectorAll('svg.chart')]
            .filter(svg => svg.getBoundingClientRect().width > 0)
            .flatMap(svg => [...svg.querySelectorAll('g.axis-y')].map(axis =>
                [...axis.querySelectorAll('text.tick')].map(t => {
                    const b = t.getBoundingClientRect();
                    return [t.textContent, parseFloat(t.dataset.value), (b.top + b.bottom) / 2];
                })))"""
    )
    assert axes, f"no value axis visible at {built_view.width} px"
    for ticks in axes:
        values = [value for _, value, _ in ticks]
        assert [float(text) for text, _, _ in ticks] == values
        (v0, y0), (v1, y1) = (values[0], ticks[0][2]), (values[-1], ticks[-1][2])
        for _, value, y in ticks:
            assert abs(y0 + (value - v0) * (y1 - y0) / (v1 - v0) - y) < 1.0, ticks
