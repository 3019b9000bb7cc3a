"""Downloads have a deadline: each connect and read waits at most the read timeout, the whole
download at most the deadline, and a long download says how far it got. Every failure is one
line naming the URL and the reason (deadline, read timeout, HTTP status, a length or checksum
that is not the pin's), and a refusal of the release guard caused by a download says so first.

Real servers on 127.0.0.1 (tests/wjp_server.py, some sending slowly; a socket that never
answers), no mocks; each case takes a few seconds at most.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest

from pipeline import console
from pipeline.defs.resources import ProjectResource
from pipeline.instance import write_instance_file
from pipeline.settings import Settings, SettingsError
from pipeline.transforms.outcome import Outcome
from pipeline.transforms.sources.download_sources import WJP, fetch
from pipeline.transforms.sources.downloads import Pin, SourceUnavailable, obtain
from pipeline.transforms.sources.read_all import CHECK_AVAILABLE, unavailable_downloads
from pipeline.transforms.sources.wjp import read_snapshot
from tests.harness import UNREACHABLE_URL, copy_raw, copy_run, materialize, memory_db, pin_snapshot
from tests.wjp_server import all_factors, country, serve, sha256, snapshot

BODY = snapshot([country("AAA", "Alpha", "North", "High", {2022: all_factors(0.6)})])
HTML = b"<!doctype html><html><head><title>Sign in</title></head><body>Sign in</body></html>"
SLOW = (1, 0.2)  # one byte every 0.2 s: five bytes a second
STALLED = (100, 60)  # 100 bytes, then nothing for a minute


def pin_for(url: str, body: bytes = BODY) -> Pin:
    return Pin(url, sha256(body), len(body), ".json", WJP.url_env)


def failure(url: str, cache_dir, timeout: float = 5, deadline: float = 10, body=BODY):
    """The one-line reason a download of `url`, pinned to `body`, fails, and its seconds."""
    started = time.monotonic()
    with pytest.raises(SourceUnavailable) as caught:
        obtain(pin_for(url, body), cache_dir, read_snapshot, timeout, deadline)
    message = str(caught.value)
    assert "\n" not in message, message
    assert not cache_dir.exists() or not any(cache_dir.iterdir()), "a failed download was cached"
    return message, time.monotonic() - started


def test_a_drip_of_one_byte_at_a_time_fails_within_the_deadline(tmp_path):
    with serve({"/roli.json": (200, BODY, {}, SLOW)}) as base:
        message, seconds = failure(f"{base}/roli.json", tmp_path / "cache", deadline=2)
    assert 2 <= seconds < 3, seconds
    assert re.fullmatch(
        rf"download of {base}/roli\.json took longer than the deadline of 2 s \((\d+) of "
        rf"{len(BODY):,} bytes received\); PIPELINE_DOWNLOAD_DEADLINE_SECONDS sets it",
        message,
    ), message
    received = int(re.search(r"\((\d+) of", message)[1])
    assert 5 <= received <= 12, message  # five bytes a second for two seconds


def test_a_read_never_outlasts_the_deadline(tmp_path):
    """The read timeout (10 s) is longer than what is left of the deadline (2 s): the read that
    waits is cut at the deadline."""
    with serve({"/roli.json": (200, BODY, {}, STALLED)}) as base:
        message, seconds = failure(f"{base}/roli.json", tmp_path / "cache", 10, 2)
    assert 2 <= seconds < 3, seconds
    assert f"took longer than the deadline of 2 s (100 of {len(BODY):,} bytes received)" in message


def test_a_server_that_accepts_and_never_answers_fails_within_the_read_timeout(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as silent:  # listens, never accepts
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/roli.json"
        message, seconds = failure(url, tmp_path / "cache", timeout=1, deadline=10)
    assert 1 <= seconds < 2, seconds
    assert message == (
        f"download of {url} failed: no answer within the read timeout of 1 s (0 of "
        f"{len(BODY):,} bytes received); PIPELINE_DOWNLOAD_TIMEOUT_SECONDS sets it, "
        "WJP_SNAPSHOT_URL a mirror"
    )


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        pytest.param(
            (200, BODY, {"Content-Length": str(len(BODY) + 1000)}),
            f"gave {len(BODY) + 1000:,} bytes by its Content-Length, the pinned file has "
            f"{len(BODY):,} (not the pinned file)",
            id="declares_more_than_the_pin",
        ),
        pytest.param(
            (200, BODY, {"Content-Length": str(len(BODY) - 10)}),
            f"gave {len(BODY) - 10:,} bytes by its Content-Length, the pinned file has "
            f"{len(BODY):,} (not the pinned file)",
            id="declares_less_than_it_sends",
        ),
        pytest.param(
            (200, BODY[:100], {"Content-Length": str(len(BODY))}),
            f"was truncated: 100 of {len(BODY):,} bytes",
            id="sends_less_and_closes",
        ),
        pytest.param(
            (200, BODY[:100], {"Content-Length": str(len(BODY))}, STALLED),
            f"no answer within the read timeout of 1 s (100 of {len(BODY):,} bytes received)",
            id="sends_less_and_stalls",
        ),
        pytest.param((503, b"busy", {}), "failed: HTTP 503 Service Unavailable", id="http_503"),
    ],
)
def test_a_server_that_lies_about_its_length_is_refused_in_one_line(tmp_path, response, expected):
    with serve({"/roli.json": response}) as base:
        message, seconds = failure(f"{base}/roli.json", tmp_path / "cache", timeout=1)
    assert expected in message, message
    assert seconds < 2, seconds


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            HTML,
            f"gave {len(HTML):,} bytes by its Content-Length (an HTML page), the pinned file has "
            f"{len(BODY):,} (not the pinned file)",
            id="other_size",
        ),
        pytest.param(
            HTML.ljust(len(BODY)),
            f"checksum mismatch for {{url}} (an HTML page): sha256 {sha256(HTML.ljust(len(BODY)))}",
            id="pinned_size",
        ),
    ],
)
def test_an_html_page_instead_of_the_file_is_refused_by_size_or_checksum(tmp_path, body, expected):
    headers = {"Content-Type": "text/html; charset=utf-8"}
    with serve({"/roli.json": (200, body, headers)}) as base:
        url = f"{base}/roli.json"
        message, _ = failure(url, tmp_path / "cache")
    assert expected.format(url=url) in message, message


def test_a_slow_download_that_succeeds_says_how_far_it_got(tmp_path):
    """About 0.4 MB sent in 30 steps 0.1 s apart (3 s), deadline 10 s: a progress line every
    2 s, then the file."""
    years = {year: all_factors(0.5) for year in range(2012, 2026)}
    codes = [f"A{a}{b}" for a in "ABCDEFGHIJKLMNOP" for b in "ABCDEFGHIJKLMNOP"]
    body = snapshot([country(code, code, "North", "High", years) for code in codes])
    raw_dir = copy_raw(tmp_path)
    pin_snapshot(raw_dir, body)
    lines: list[str] = []
    with serve({"/roli.json": (200, body, {}, (len(body) // 30 + 1, 0.1))}) as base:
        url, cache_dir, started = f"{base}/roli.json", tmp_path / "cache", time.monotonic()
        fetched = fetch(memory_db(), WJP, raw_dir, cache_dir, 5, None, url, 10, lines.append)
        seconds = time.monotonic() - started
    assert (fetched.status, fetched.obtained_from) == ("available", "download"), fetched.reason
    assert 2.5 < seconds < 6, seconds
    assert 1 <= len(lines) <= 3, lines
    for line in lines:
        total = f"{len(body) / 1e6:.1f}"
        assert re.fullmatch(rf"raw_wjp__roli: \d\.\d of {total} MB downloaded", line), line


def test_the_limits_are_settings_read_by_the_resource(monkeypatch):
    monkeypatch.setenv("PIPELINE_DOWNLOAD_TIMEOUT_SECONDS", "7")
    monkeypatch.setenv("PIPELINE_DOWNLOAD_DEADLINE_SECONDS", "45")
    options = ProjectResource().download_options()
    assert (options.timeout_seconds, options.deadline_seconds) == (7, 45)
    configured = ProjectResource(download_deadline_seconds=3).download_options()
    assert (configured.timeout_seconds, configured.deadline_seconds) == (7, 3)
    defaults = Settings.resolve(environ={})
    assert (defaults.download_timeout_seconds, defaults.download_deadline_seconds) == (15, 120)
    with pytest.raises(SettingsError) as bad:
        Settings.resolve(environ={"PIPELINE_DOWNLOAD_DEADLINE_SECONDS": "0"})
    assert bad.value.lines == [
        "PIPELINE_DOWNLOAD_DEADLINE_SECONDS='0': less than 1; allowed: a whole number of "
        "seconds, 1 or more, that a whole download may take (default 120)"
    ]
    with pytest.raises(SettingsError) as configured_badly:
        ProjectResource(download_timeout_seconds=-1).download_options()
    assert configured_badly.value.lines[0].startswith(
        "PIPELINE_DOWNLOAD_TIMEOUT_SECONDS='-1': less than 1 (set in the run's resource config)"
    )


def test_only_the_downloads_the_guard_names_are_said_first():
    lost = Outcome("raw_wjp__roli", warnings={CHECK_AVAILABLE: "HTTP 404"})
    other = Outcome("raw_vdem__ert", warnings={CHECK_AVAILABLE: "HTTP 500"})
    fine = Outcome("raw_vdem__ert", warnings={CHECK_AVAILABLE: ""})
    blocked = ["marts.indicators: rows of source 'wjp_roli' disappeared (5 in the current ..."]
    assert unavailable_downloads([lost, other], blocked) == [
        "raw_wjp__roli: download unavailable: HTTP 404"
    ]
    assert unavailable_downloads([fine], blocked) == []
    assert unavailable_downloads([other], blocked) == []


def test_a_refusal_caused_by_a_download_names_it_and_the_reason_first(
    built, tmp_path, monkeypatch, capsys
):
    """WJP's copies are gone from the cache and its URL serves an HTML page: the guard refuses
    the release that would lose WJP's rows, and the refusal starts with the download's cause."""
    run = copy_run(built, tmp_path)
    for cached in (tmp_path / "cache" / "wjp", tmp_path / "cache" / "parsed" / "wjp"):
        shutil.rmtree(cached)
    html = {"Content-Type": "text/html"}
    with serve({"/roli.json": (200, HTML, html)}) as base:
        url = f"{base}/roli.json"
        refused = materialize(run.raw_dir, tmp_path, {"wjp_roli": url, "vdem_ert": UNREACHABLE_URL})
    assert not refused.result.success
    (step_failure,) = refused.result.get_step_failure_events()
    lines = step_failure.step_failure_data.error.message.split("\n")
    cause = (
        f"raw_wjp__roli: download unavailable: {url} gave {len(HTML):,} bytes by its "
        "Content-Length (an HTML page), the pinned file has "
    )
    assert cause in lines[0], lines[:3]
    assert lines[1] == "Release guard: nothing was published.", lines[:3]

    monkeypatch.setenv("PIPELINE_WAREHOUSE_DIR", str(run.warehouse_dir))
    capsys.readouterr()  # what the run logged; the refusal as the CLI prints it follows
    console.print_refusal(refused.result, 1.0, tmp_path / "run.log", verbose=False)
    printed = capsys.readouterr().err.splitlines()
    assert printed[0].startswith("FAILED: step refresh_warehouse: " + cause), printed[:3]
    assert printed[1] == "Release guard: nothing was published.", printed[:3]


def test_make_run_shows_a_slow_downloads_progress_on_its_own_lines(tmp_path):
    """The real CLI: a download of about 3 s prints its progress as plain lines on stderr
    (the refresh's notes), and none of Dagster's events. (The made-up countries are refused
    afterwards: what matters here is what was printed while downloading.)"""
    years = {year: all_factors(0.5) for year in range(2012, 2026)}
    codes = [f"A{a}{b}" for a in "ABCDEFGHIJKLMNOP" for b in "ABCDEFGHIJKLMNOP"]
    body = snapshot([country(code, code, "North", "High", years) for code in codes])
    raw_dir = copy_raw(tmp_path)
    pin_snapshot(raw_dir, body)
    home = tmp_path / "dagster home"
    home.mkdir()
    write_instance_file(home)
    with serve({"/roli.json": (200, body, {}, (len(body) // 30 + 1, 0.1))}) as base:
        env = {
            **os.environ,
            "DAGSTER_HOME": str(home),
            "PIPELINE_RAW_DIR": str(raw_dir),
            "PIPELINE_WAREHOUSE_DIR": str(tmp_path / "warehouse"),
            "WJP_SNAPSHOT_URL": f"{base}/roli.json",
            "VDEM_SNAPSHOT_URL": UNREACHABLE_URL,
        }
        done = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "refresh"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    progress = [line for line in done.stderr.splitlines() if line.endswith("MB downloaded")]
    assert progress and all(line.startswith("  raw_wjp__roli: ") for line in progress), done.stderr
    assert "dagster - " not in done.stderr and "Execution of step" not in done.stderr
