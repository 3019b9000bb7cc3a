"""Parse the WJP Rule of Law Index snapshot (roli.json) into long tables, and check them.

Belongs here: the JSON shape (top level `countries`, `historicalAverages`, `year`, `label`;
per country `history[]` with overall and f1..f8 per edition, and sub-factor scores sf11..sf87
for the current edition only; WJP's own current-edition ranks at the top level and under
`factorRanks`) and its conversion to the WJP specs. Any departure from that
shape raises `SourceUnavailable` with what was wrong. No Dagster; the file is read by
`read_snapshot`, bounded by its pinned size.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.schemas.wjp import (
    WJP_COUNTRIES,
    WJP_PUBLISHED_RANKS,
    WJP_REGION_AVERAGES,
    WJP_SCORES,
)
from pipeline.transforms.sources.downloads import SourceUnavailable

if TYPE_CHECKING:
    import pandas as pd

FACTOR_KEYS = ("overall", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8")
_SUB_FACTOR_KEY = re.compile(r"^sf([1-8])([1-9])$")
MAX_LISTED = 5


@dataclass(frozen=True)
class WjpTables:
    scores: pd.DataFrame
    countries: pd.DataFrame
    region_averages: pd.DataFrame
    published_ranks: pd.DataFrame


def measure_code(key: str) -> str:
    """'overall' -> 'overall', 'f3' -> 'F3', 'sf31' -> 'SF3.1'."""
    if key == "overall":
        return key
    sub = _SUB_FACTOR_KEY.match(key)
    if sub:
        return f"SF{sub.group(1)}.{sub.group(2)}"
    return key.upper()


def read_snapshot(path) -> dict:
    """The verified snapshot file, parsed: {table name: frame} (the size was checked against
    the pin before this is called)."""
    tables = parse_snapshot(path.read_bytes(), "roli.json")
    return {
        WJP_SCORES.name: tables.scores,
        WJP_COUNTRIES.name: tables.countries,
        WJP_REGION_AVERAGES.name: tables.region_averages,
        WJP_PUBLISHED_RANKS.name: tables.published_ranks,
    }


def parse_snapshot(data: bytes, source: str) -> WjpTables:
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise SourceUnavailable(f"{source} is not valid UTF-8 JSON: {err}") from err
    try:
        tables = WjpTables(
            scores=_scores(document),
            countries=_countries(document),
            region_averages=_region_averages(document),
            published_ranks=_published_ranks(document),
        )
    except (KeyError, TypeError, AttributeError, ValueError) as err:
        raise SourceUnavailable(
            f"{source} does not have the expected roli.json shape: {type(err).__name__} {err}"
        ) from err
    _check(tables, source)
    return tables


def _scores(document: dict) -> pd.DataFrame:
    rows = []
    current_year, current_label = (
        int(document["year"]),
        str(document.get("label", document["year"])),
    )
    for country in document["countries"]:
        code = country["code"]
        for edition in country["history"]:
            for key in FACTOR_KEYS:
                if edition.get(key) is not None:
                    rows.append(
                        (
                            code,
                            int(edition["year"]),
                            str(edition["label"]),
                            measure_code(key),
                            float(edition[key]),
                        )
                    )
        for key, value in country.items():
            if _SUB_FACTOR_KEY.match(key) and value is not None:
                rows.append((code, current_year, current_label, measure_code(key), float(value)))
    return WJP_SCORES.frame(rows)


def _countries(document: dict) -> pd.DataFrame:
    rows = [(c["code"], c["country"], c["region"], c["income"]) for c in document["countries"]]
    return WJP_COUNTRIES.frame(rows)


def _region_averages(document: dict) -> pd.DataFrame:
    rows = []
    for edition in document.get("historicalAverages", []):
        year, label = int(edition["year"]), str(edition["label"])
        groups = {"Global": edition["global"], **edition.get("regional", {})}
        for region, averages in groups.items():
            for key in FACTOR_KEYS:
                if averages.get(key) is not None:
                    rows.append((year, label, region, measure_code(key), float(averages[key])))
    return WJP_REGION_AVERAGES.frame(rows)


# The snapshot's rank keys per scope: {scope: (rank key, total key)}.
RANK_KEYS = {
    "global": ("globalRank", "globalTotal"),
    "region": ("regionalRank", "regionalTotal"),
    "income_group": ("incomeRank", "incomeTotal"),
}


def _published_ranks(document: dict) -> pd.DataFrame:
    """WJP's own ranks for the current edition: overall at the country's top level, F1..F8
    under `factorRanks`. A country or factor without them contributes no row."""
    year = int(document["year"])
    rows = []
    for country in document["countries"]:
        per_measure = {"overall": country, **country.get("factorRanks", {})}
        for key, ranks in per_measure.items():
            for scope, (rank_key, total_key) in RANK_KEYS.items():
                if ranks.get(rank_key) is not None:
                    rank, total = ranks[rank_key], ranks.get(total_key)
                    rows.append((country["code"], year, measure_code(key), scope, rank, total))
    return WJP_PUBLISHED_RANKS.frame(rows)


def _check(tables: WjpTables, source: str) -> None:
    """Every table validated with its schema in DuckDB, as every table is (rows named by key)."""
    import duckdb

    from pipeline.schemas.spec import qualified
    from pipeline.transforms.duck import load_frame
    from pipeline.transforms.validation import validate_relation

    problems, con = [], duckdb.connect()
    for spec, frame in (
        (WJP_SCORES, tables.scores),
        (WJP_COUNTRIES, tables.countries),
        (WJP_REGION_AVERAGES, tables.region_averages),
        (WJP_PUBLISHED_RANKS, tables.published_ranks),
    ):
        if frame.empty and spec in (WJP_SCORES, WJP_COUNTRIES):
            raise SourceUnavailable(f"{source} holds no {spec.name.removeprefix('wjp_')}")
        load_frame(con, "main", spec, frame, not_null=False)
        relation = qualified("main", spec.name)
        problems += validate_relation(con, spec, relation, f"{source} ({spec.name})")
    if problems:
        listed = "; ".join(p.message() for p in problems[:MAX_LISTED])
        more = f" (and {len(problems) - MAX_LISTED} more)" if len(problems) > MAX_LISTED else ""
        raise SourceUnavailable(f"{source} has invalid values: {listed}{more}")
