"""One voice for the whole report: one money format, the paper's country order, human names
for codes and sources, years and editions written the same way everywhere, and the verdict
badges' look.

Belongs here: turning values into the words the report prints. Stays out: vocabularies (they
come from the specs and raw/, pipeline/transforms/report/inputs.py) and layout.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pandas as pd

from pipeline.transforms.report.blocks import Badge
from pipeline.transforms.sources.download_sources import DOWNLOADS

_COLUMN_IN_LOCATOR = re.compile(r"column (\d+)")
_TABLE_IN_LOCATOR = re.compile(r"^(Table \d+)")

# How a verdict looks, by its meaning: colour (white text on it reads at 4.5:1 or more, tested),
# icon and word. A verdict the spec adds and this does not name is shown neutral, never fails.
TONES = {"supported": "good", "partly_supported": "mixed", "contradicted": "bad"}
ICONS = {"good": "✓", "mixed": "◐", "bad": "✗", "neutral": "?"}
TONE_ORDER = ("bad", "mixed", "good", "neutral")  # findings: contradictions first
BADGE_COLOURS = {"good": "#1a6b35", "mixed": "#8a4600", "bad": "#b3261e", "neutral": "#555555"}


def humanize(code) -> str:
    """'partly_supported' -> 'partly supported' (a code's words, for any new value too)."""
    return "" if code is None or pd.isna(code) else str(code).replace("_", " ")


def badge(verdict: str) -> Badge:
    tone = TONES.get(verdict, "neutral")
    return Badge(humanize(verdict), tone, ICONS[tone])


def tone_rank(verdict: str) -> int:
    return TONE_ORDER.index(TONES.get(verdict, "neutral"))


def money(amount) -> str:
    """The report's one money format: '€174 million', '€1,100 million', '€1.5 million'."""
    if amount is None or pd.isna(amount):
        return "unknown"
    millions = Decimal(str(amount)) / Decimal(1_000_000)
    if millions == millions.to_integral_value():
        return f"€{millions:,.0f} million"
    return f"€{millions:,.1f} million"


def millions_text(value: float) -> str:
    """A chart's axis and bar labels, in the same format as money()."""
    return money(Decimal(str(round(value, 6))) * 1_000_000)


def years(first, last) -> str:
    if first is None or pd.isna(first):
        return "none"
    return str(int(first)) if first == last else f"{int(first)}–{int(last)}"


def count(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def column_number(locator: str) -> int:
    match = _COLUMN_IN_LOCATOR.search(str(locator))
    return int(match.group(1)) if match else 0


def country_order(indicators: pd.DataFrame, countries: pd.DataFrame) -> list[str]:
    """ISO codes in the paper's order (its Table 1's columns), then the other Central Asian
    states by name: the one order of countries everywhere in the report."""
    paper = indicators[indicators["source_id"] == "paper_table1"]
    ordered = (
        paper.assign(_column=paper["source_locator"].map(column_number))
        .sort_values("_column")
        .drop_duplicates("country_iso3")["country_iso3"]
        .tolist()
    )
    central = countries[countries["is_central_asia"]].sort_values("country_name")
    return ordered + [c for c in central["country_iso3"] if c not in ordered]


def in_country_order(frame: pd.DataFrame, order: list[str], column: str) -> pd.DataFrame:
    """`frame` sorted by the paper's country order in `column` (others after, stably)."""
    rank = {code: i for i, code in enumerate(order)}
    keys = frame[column].map(lambda c: rank.get(c, len(rank)))
    return frame.assign(_order=keys).sort_values("_order", kind="stable").drop(columns="_order")


def country_names(countries: pd.DataFrame) -> dict[str, str]:
    return dict(zip(countries["country_iso3"], countries["country_name"], strict=False))


def short_title(title: str) -> str:
    """'WJP Rule of Law Index country profiles data (roli.json), editions 2015-2025' ->
    'WJP Rule of Law Index country profiles data'."""
    return re.split(r" \(|: |, ", str(title), maxsplit=1)[0]


def source_name(source_id: str, indicators: pd.DataFrame, source_files: pd.DataFrame) -> str:
    """A human name for a source_id: a paper table by its number, a download by its record's
    title, anything else by the title of the file it comes from, else its words."""
    rows = indicators[indicators["source_id"] == source_id]
    match = _TABLE_IN_LOCATOR.match(str(rows["source_locator"].iloc[0])) if len(rows) else None
    if source_id.startswith("paper_") and match:
        return f"the paper's {match.group(1)}"
    titles = dict(zip(source_files.get("asset_key", []), source_files["title"], strict=False))
    asset = next((d.asset_name for d in DOWNLOADS if d.source_id == source_id), None)
    if asset in titles:
        return short_title(titles[asset])
    hit = sorted(t for key, t in titles.items() if str(key).endswith(f"__{source_id}"))
    return short_title(hit[0]) if hit else humanize(source_id)


def record_url(source_files: pd.DataFrame, relation: str) -> str | None:
    """The URL of the origin record of the file or download that fills `relation`."""
    if "relation" not in source_files:
        return None
    hit = source_files[source_files["relation"] == relation]
    url = hit.iloc[0]["url"] if len(hit) else None
    return None if url is None or pd.isna(url) else str(url)
