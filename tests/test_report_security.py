"""The HTML report in a real browser: hostile text from a raw file runs no script and loads
nothing from the network.

A timeline event's title and description are replaced by markup that would mark <body> with a
`data-pwned` attribute if it ran, and would fetch from the network if it became elements. The
pipeline builds the report; headless Chromium (Debian's /usr/bin/chromium) loads it from disk
and dumps the DOM after the page's scripts and load events have run. Every request Chromium
makes goes through a recording proxy on 127.0.0.1, so a request from the page would be seen.

Two controls prove the harness can see what it looks for: the same markup inserted raw (not
escaped) does run and does fetch; and inserted raw under the report's Content-Security-Policy it
runs nothing and fetches nothing (the second line of defence).
"""

from __future__ import annotations

import csv
import html
import http.server
import io
import os
import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.lineage import build_graph
from pipeline.settings import MODELS_DIR
from pipeline.transforms.report import build_report
from pipeline.transforms.report.load_inputs import load_report_inputs
from tests.harness import CHROMIUM_FLAGS, copy_raw, edit_csv, require_chromium, run_steps

TIMEOUT_SECONDS = 60
DESCRIPTION_PAYLOAD = (
    "<script>document.body.setAttribute('data-pwned','1')</script>"
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','2')\">"
)
# The title also lands in the timeline chart (inline SVG, <title> tooltip): SVG's own ways in.
TITLE_PAYLOAD = (
    "<svg onload=\"document.body.setAttribute('data-pwned','3')\">"
    '<image href="http://bait.invalid/t.png"/>'
)
NETWORK_BAIT = (
    '<img src="http://bait.invalid/pixel.png"><link rel=stylesheet href=https://bait.invalid/s.css>'
)
EVENT_ID = "ev_1953_convention_human_rights"
# Chromium's own service traffic (updates, clock, accounts) despite the flags; never the page's.
BROWSER_SERVICE_HOSTS = ("google.com", "googleapis.com", "gvt1.com", "gstatic.com")
RESOURCE_ATTRIBUTES = {
    "src",
    "srcset",
    "href",
    "xlink:href",
    "poster",
    "data",
    "action",
    "formaction",
    "background",
    "ping",
    "manifest",
}


# --- a recording proxy and the browser -------------------------------------------------------


@dataclass
class Proxy:
    url: str
    requests: list[str] = field(default_factory=list)

    def from_the_page(self) -> list[str]:
        """Requests other than Chromium's own background services."""
        return [r for r in self.requests if not _is_browser_service(r)]


def _is_browser_service(request_line: str) -> bool:
    target = request_line.split(" ")[1] if " " in request_line else request_line
    host = re.sub(r"^[a-z]+://", "", target).split("/")[0].split(":")[0]
    return any(host == h or host.endswith("." + h) for h in BROWSER_SERVICE_HOSTS)


@contextmanager
def recording_proxy() -> Iterator[Proxy]:
    """An HTTP proxy on 127.0.0.1 that answers 404 to everything and records the request lines
    (CONNECT host:443 for https)."""
    proxy = Proxy("")

    class Handler(http.server.BaseHTTPRequestHandler):
        def _record(self):
            proxy.requests.append(self.requestline)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_POST = do_HEAD = do_PUT = do_OPTIONS = do_CONNECT = _record  # noqa: N815

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()


def dump_dom(page: Path, profile: Path, proxy: Proxy) -> str:
    """Load `page` in headless Chromium and return the DOM after load (scripts have run)."""
    command = [
        str(require_chromium()),
        "--headless",
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        f"--proxy-server={proxy.url}",
        "--proxy-bypass-list=<-loopback>",
        "--dump-dom",
        page.resolve().as_uri(),
    ]
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: a hung browser is killed whole
    ) as browser:
        try:
            out, err = browser.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(browser.pid, signal.SIGKILL)
            browser.communicate()
            pytest.fail(f"chromium did not finish loading {page} in {TIMEOUT_SECONDS} s")
    assert browser.returncode == 0, f"chromium exited {browser.returncode}:\n{err[-2000:]}"
    assert "</html>" in out, f"no DOM dumped:\n{err[-2000:]}"
    return out


class Page(HTMLParser):
    """Elements (tag, attributes) and the text of an HTML document, entities decoded."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.texts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def attributes(self, prefix: str = "") -> list[tuple[str, str]]:
        return [(t, a) for t, attrs in self.elements for a in attrs if a.startswith(prefix)]

    def tags(self, *names: str) -> list[str]:
        return [t for t, _ in self.elements if t in names]

    def content_security_policy(self) -> dict[str, list[str]]:
        metas = [
            attrs.get("content") or ""
            for tag, attrs in self.elements
            if tag == "meta"
            and (attrs.get("http-equiv") or "").lower() == "content-security-policy"
        ]
        assert len(metas) == 1, f"expected one Content-Security-Policy meta, found {metas}"
        directives = [d.split() for d in metas[0].split(";") if d.strip()]
        return {d[0].lower(): d[1:] for d in directives}

    def external_loads(self) -> list[tuple[str, str, str]]:
        """Resource attributes pointing off the page (plain <a href> links excepted)."""
        loads = []
        for tag, attrs in self.elements:
            for name, value in attrs.items():
                if name not in RESOURCE_ATTRIBUTES or (tag == "a" and name == "href"):
                    continue
                value = (value or "").strip()
                if value.startswith("#") or value.startswith("data:"):
                    continue
                loads.append((tag, name, value))
        return loads


# --- the hostile report ----------------------------------------------------------------------


def _csv_cell(value: str) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([value])
    return out.getvalue()


@pytest.fixture(scope="module")
def hostile_report(tmp_path_factory) -> Path:
    """reports/summary.html built by the pipeline from a timeline row whose title and
    description are hostile markup."""
    base = tmp_path_factory.mktemp("hostile")
    raw_dir = copy_raw(base)
    timeline = raw_dir / "paper" / "timeline_events.csv"
    row = next(
        r
        for r in csv.DictReader(io.StringIO(timeline.read_text(encoding="utf-8"), newline=""))
        if r["event_id"] == EVENT_ID
    )
    old = f",{row['title']},{row['description']},"
    new = f",{_csv_cell(TITLE_PAYLOAD)},{_csv_cell(DESCRIPTION_PAYLOAD + NETWORK_BAIT)},"
    edit_csv(timeline, old, new)  # re-records the checksum
    edited = {
        r["event_id"]: r
        for r in csv.DictReader(io.StringIO(timeline.read_text(encoding="utf-8"), newline=""))
    }[EVENT_ID]
    assert edited["title"] == TITLE_PAYLOAD, "the CSV must stay valid, with the payload intact"
    assert edited["description"] == DESCRIPTION_PAYLOAD + NETWORK_BAIT
    steps = run_steps(raw_dir, base)
    assert steps.failed() == {}, "hostile text is legitimate free text: it must be accepted"
    stored = steps.query(
        "SELECT title, description FROM marts.timeline WHERE event_id = ?", [EVENT_ID]
    )
    assert stored == [(TITLE_PAYLOAD, DESCRIPTION_PAYLOAD + NETWORK_BAIT)]
    marts = {m.name: m for m in build_graph(raw_dir, MODELS_DIR).marts}
    page = base / "summary.html"
    page.write_text(build_report(load_report_inputs(steps.con, marts)).html, encoding="utf-8")
    return page


@dataclass
class Loaded:
    """A page as headless Chromium left it after load, and what it asked of the network."""

    dom: Page
    proxy: Proxy


@pytest.fixture(scope="module")
def hostile_loaded(hostile_report, tmp_path_factory) -> Loaded:
    """The hostile report, loaded once behind the recording proxy."""
    with recording_proxy() as proxy:
        dom = Page(dump_dom(hostile_report, tmp_path_factory.mktemp("profile"), proxy))
    return Loaded(dom, proxy)


def test_hostile_description_runs_no_script_in_chromium(hostile_report, hostile_loaded):
    dom = hostile_loaded.dom
    assert dom.attributes("data-pwned") == [], "a script from the data ran in the browser"
    assert dom.tags("script", "img", "image", "iframe", "object", "embed", "link") == []
    assert dom.attributes("on") == [], "event-handler attributes came from the data"
    # The hostile markup is on the page, as text a reader can see.
    assert DESCRIPTION_PAYLOAD + NETWORK_BAIT in dom.text
    assert TITLE_PAYLOAD in dom.text
    source = hostile_report.read_text(encoding="utf-8")
    # escaped in the file (Jinja writes ' as &#39;), the same text once decoded
    assert DESCRIPTION_PAYLOAD in html.unescape(source) and DESCRIPTION_PAYLOAD not in source


def test_report_page_makes_no_network_request(hostile_report, hostile_loaded):
    proxy = hostile_loaded.proxy
    assert proxy.from_the_page() == [], f"the page made network requests: {proxy.requests}"
    source = hostile_report.read_text(encoding="utf-8")
    for page in (Page(source), hostile_loaded.dom):
        assert page.external_loads() == [], "resources loaded from outside the page"
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//|@import", source, re.IGNORECASE)
    policy = Page(source).content_security_policy()
    assert policy.get("default-src") == ["'none'"], policy
    assert "script-src" not in policy and "connect-src" not in policy, policy
    assert set(policy.get("img-src", [])) <= {"data:"}, policy
    assert set(policy.get("style-src", [])) <= {"'unsafe-inline'"}, policy


# --- controls: the harness sees what it looks for --------------------------------------------


def _control_page(path: Path, head: str) -> Path:
    bait = DESCRIPTION_PAYLOAD + TITLE_PAYLOAD + NETWORK_BAIT
    path.write_text(
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head>"
        f"<body><p>{bait}</p></body></html>\n",
        encoding="utf-8",
    )
    return path


def test_control_unescaped_markup_does_run_and_fetch(tmp_path):
    """Without escaping and without a policy, the same markup runs and fetches: the checks
    above would see an escaping bug."""
    page = _control_page(tmp_path / "raw.html", "")
    with recording_proxy() as proxy:
        dom = Page(dump_dom(page, tmp_path / "profile", proxy))
    assert dom.attributes("data-pwned") != [], "the harness does not see scripts run"
    assert any("bait.invalid" in r for r in proxy.from_the_page()), proxy.requests


def test_control_report_policy_blocks_unescaped_markup(hostile_report, tmp_path):
    """The report's Content-Security-Policy alone stops the markup (defence in depth)."""
    source = hostile_report.read_text(encoding="utf-8")
    meta = re.search(r"<meta http-equiv='Content-Security-Policy'[^>]*>", source)
    assert meta, "the report has no Content-Security-Policy meta"
    page = _control_page(tmp_path / "raw_with_policy.html", meta.group(0))
    with recording_proxy() as proxy:
        dom = Page(dump_dom(page, tmp_path / "profile", proxy))
    assert dom.attributes("data-pwned") == [], "the report's policy lets inline script run"
    assert proxy.from_the_page() == [], proxy.requests
