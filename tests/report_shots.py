"""Screenshots of the published report for review: full pages at 320, 390, 1280 and 1920 px, in
the light and the dark scheme, in Debian's Chromium (`make report-shots`).

    python -m tests.report_shots [REPORT] [FOLDER]

REPORT defaults to warehouse/reports/summary.html (the published report), FOLDER to
warehouse/report-shots/; the folder's old screenshots are replaced.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from pipeline.settings import REPO_ROOT
from tests.harness import CHROMIUM, CHROMIUM_FLAGS

WIDTHS = (320, 390, 1280, 1920)
SCHEMES = ("light", "dark")


def take(report: Path, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("report-*.png"):
        old.unlink()
    shots = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_FLAGS)
        )
        try:
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 800})
                page.goto(report.resolve().as_uri(), wait_until="load")
                for scheme in SCHEMES:
                    page.emulate_media(color_scheme=scheme)
                    shot = folder / f"report-{width}-{scheme}.png"
                    page.screenshot(path=str(shot), full_page=True)
                    shots.append(shot)
                page.close()
        finally:
            browser.close()
    return shots


def main(argv: list[str]) -> int:
    report = Path(argv[0]) if argv else REPO_ROOT / "warehouse" / "reports" / "summary.html"
    folder = Path(argv[1]) if len(argv) > 1 else REPO_ROOT / "warehouse" / "report-shots"
    if not report.is_file():
        print(f"no report at {report}: run `make run` first, or name one", file=sys.stderr)
        return 1
    started = time.monotonic()
    shots = take(report, folder)
    print(f"{len(shots)} screenshots of {report} in {folder} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
