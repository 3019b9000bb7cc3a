"""Tiny hand-made mart frames for the report's unit tests (tests/test_report.py): each frame has
its mart's columns (from the specs), a few rows chosen so that order, ties, disputes, unknown
amounts, errata and hostile text all occur."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from pipeline.lineage import build_graph
from pipeline.settings import MODELS_DIR, REPO_ROOT
from pipeline.transforms import report

HOSTILE = "<script>alert(1)</script>"
_MARTS = {m.name: m.spec for m in build_graph(REPO_ROOT / "raw", MODELS_DIR).marts}
INDICATORS, FUNDING, TIMELINE = _MARTS["indicators"], _MARTS["funding"], _MARTS["timeline"]
CLAIMS, ERRATA, TOTALS = _MARTS["paper_claims"], _MARTS["errata"], _MARTS["funding_totals"]
COVERAGE, RANKS = _MARTS["coverage"], _MARTS["wjp_rank_comparison"]


FACTORS = {
    "overall": ("Global rating", "Overall"),
    "F1": ("Government influence", "Constraints on Government Powers"),
    "F2": ("Corruption", "Absence of Corruption"),
}
TABLE1_COLUMNS = {"KAZ": (1, "Kazakhstan"), "KGZ": (2, "Kyrgyzstan"), "TJK": (3, "Tajikistan")}


def indicator(source, locator, iso3, year, factor, rank, n_ranked=140, scope="global", **kw):
    label, name = FACTORS[factor]
    row = {
        "source_id": source,
        "source_locator": locator,
        "country_iso3": iso3,
        "country_name": TABLE1_COLUMNS[iso3][1],
        "edition_year": year,
        "factor_code": factor,
        "factor_name": name,
        "paper_label": label,
        "scope": scope,
        "scope_name": kw.get("scope_name", "all countries in the rating"),
        "rank": rank,
        "n_ranked": n_ranked if rank is not None else None,
        "missing_reason": None if rank is not None else "no data",
        "cell_text": kw.get("cell_text", "–" if rank is None else str(rank)),
        "paper_citation_key": "rule_of_law_index2023",
        "edition_label": str(year),
        "verification": kw.get("verification", "verified"),
        "verification_note": kw.get("verification_note", "Paper and source agree."),
    }
    return row


def t1(iso3, year, factor, rank, n_ranked=140):
    column = TABLE1_COLUMNS[iso3][0]
    row = list(FACTORS).index(factor) + 1
    locator = f'Table 1, row {row} "{FACTORS[factor][0]}", column {column} "x"'
    return indicator("paper_table1", locator, iso3, year, factor, rank, n_ranked)


def t2(factor, scope, rank, n_ranked, scope_name):
    column = ("region", "income_group", "global").index(scope) + 1
    locator = f'Table 2, row 1 "{FACTORS[factor][0]}", column {column} "x"'
    return indicator(
        "paper_table2", locator, "KAZ", 2022, factor, rank, n_ranked, scope, scope_name=scope_name
    )


def indicators_frame() -> pd.DataFrame:
    rows = [
        # Kyrgyzstan is listed first on purpose: columns follow the paper's column numbers.
        t1("KGZ", 2022, "overall", 100),
        t1("KGZ", 2022, "F1", 104),
        t1("KGZ", 2022, "F2", 120),
        t1("KGZ", 2021, "overall", 99, None),
        t1("KAZ", 2022, "F2", 62),
        t1("KAZ", 2022, "overall", 65),
        t1("KAZ", 2022, "F1", 106),
        t1("KAZ", 2021, "overall", 72, None),
        t1("TJK", 2022, "overall", None),
        t1("TJK", 2022, "F1", None),
        t1("TJK", 2022, "F2", None),
        t2("F1", "region", 9, 14, "Eastern Europe and Central Asia"),
        t2("F1", "income_group", 35, 42, "above average income group"),
        t2("F1", "global", 106, 140, "all countries in the rating"),
    ]
    frame = pd.DataFrame(rows, columns=INDICATORS.column_names)
    return frame.astype({"edition_year": "Int64", "rank": "Int64", "n_ranked": "Int64"})


def claim(claim_id, code, name, amount, *, disputed=(), source="src", **kw):
    return {
        "claim_id": claim_id,
        "recipient_code": code,
        "recipient_name": name,
        "instrument": kw.get("instrument", "bilateral"),
        "scope_as_stated": kw.get("scope_as_stated", "Bilateral assistance"),
        "period_start_year": 2014,
        "period_end_year": 2020,
        "amount_eur": None if amount is None else Decimal(amount),
        "is_amount_known": amount is not None,
        "amount_qualifier": "exact" if amount is not None else "unknown",
        "amount_missing_reason": None if amount is not None else "No figure was found",
        "source_id": source,
        "source_title": None if source is None else f"Title of {source}",
        "source_url": None if source is None else f"https://example.org/{source}",
        "source_locator": None if source is None else "web page",
        "confidence": None if source is None else "official",
        "is_disputed": bool(disputed),
        "competing_claim_ids": list(disputed),
        "instrument_covers": "bilateral",
        "overlaps_claim_ids": list(kw.get("overlaps", disputed)),
    }


def funding_frame() -> pd.DataFrame:
    rows = [
        claim("kgz_a", "KGZ", "Kyrgyzstan", "174000000.00", disputed=["kgz_b"]),
        claim("kgz_b", "KGZ", "Kyrgyzstan", "184000000.00", disputed=["kgz_a"], source="press"),
        claim("tjk", "TJK", "Tajikistan", "251000000.00"),
        claim("tkm", "TKM", "Turkmenistan", None, source=None),
    ]
    return pd.DataFrame(rows, columns=FUNDING.column_names)


def event(event_id, date, precision, title, description, countries=(), erratum=None, **kw):
    return {
        "event_id": event_id,
        "event_date": dt.date.fromisoformat(date),
        "date_precision": precision,
        "date_as_printed": kw.get("date_as_printed", date),
        "country_iso3s": list(countries),
        "actor": None,
        "category": "meeting",
        "title": title,
        "description": description,
        "deaths_reported": None,
        "source_id": "paper",
        "source_locator": "Results",
        "paper_quote": "quote",
        "citation_keys": list(kw.get("citations", [])),
        "citation_note": None,
        "erratum": erratum,
        "erratum_event_date": None,
        "erratum_source_urls": [],
    }


def timeline_frame(description=HOSTILE) -> pd.DataFrame:
    rows = [
        event(
            "ev_2022_b",
            "2022-03-01",
            "month",
            "Council | meeting",
            description,
            ["KAZ"],
            erratum="It met in June.",
            citations=["chaney2022b"],
            date_as_printed="March 2022",
        ),
        event("ev_2007_a", "2007-01-01", "year", "Strategy", "The initial strategy."),
    ]
    return pd.DataFrame(rows, columns=TIMELINE.column_names)


def totals_frame() -> pd.DataFrame:
    rows = [
        {
            "recipient_code": "KGZ",
            "recipient_name": "Kyrgyzstan",
            "period_start_year": 2014,
            "period_end_year": 2020,
            "total_eur": Decimal("174000000.00"),
            "total_missing_reason": None,
            "claim_id_used": "kgz_a",
            "source_id": "src",
            "confidence": "official",
            "claim_ids_left_out": ["kgz_b"],
            "left_out_reasons": "kgz_b: disputes the chosen figure (press source)",
            "part_of_totals_of": ["CENTRAL_ASIA"],
            "rule": "One claim, never a sum.",
        }
    ]
    return pd.DataFrame(rows, columns=TOTALS.column_names)


def claims_frame() -> pd.DataFrame:
    rows = [
        {
            "claim_id": "clm_b",
            "paper_quote": "Only Kyrgyzstan holds free elections.",
            "source_locator": "Results",
            "country_iso3s": ["KGZ"],
            "checked_against": ["vdem_ert"],
            "rule_kind": "only_democracy",
            "evidence": "KGZ 2023: v2x_regime 1",
            "verdict": "partly_supported",
            "rule": "Supported if ...",
            "note": None,
            "erratum": None,
        },
        {
            "claim_id": "clm_a",
            "paper_quote": "Relations are 30 years old in 2021.",
            "source_locator": "Results",
            "country_iso3s": [],
            "checked_against": ["errata"],
            "rule_kind": "erratum",
            "evidence": "err_x (confirmed)",
            "verdict": "contradicted",
            "rule": "Contradicted by a confirmed erratum.",
            "note": None,
            "erratum": "The 30th anniversary fell in 2023.",
        },
    ]
    return pd.DataFrame(rows, columns=CLAIMS.column_names)


def errata_frame() -> pd.DataFrame:
    row = dict.fromkeys(ERRATA.column_names)
    row |= {
        "erratum_id": "err_x",
        "kind": "erratum",
        "target_mart": "timeline",
        "target_key": "ev_2022_b",
        "paper_says": "In March 2022 ...",
        "erratum": "It met in June.",
        "confidence": "confirmed",
        "source_urls": ["https://example.org/a"],
        "source_descriptions": ["A page"],
    }
    return pd.DataFrame([row], columns=ERRATA.column_names)


def vdem_frame() -> pd.DataFrame:
    rows = []
    for year, value, regime in ((2000, 0.3, 1), (2001, 0.35, 2)):
        base = indicator("paper_table1", "x", "KAZ", year, "overall", None)
        rows.append(
            base
            | {
                "source_id": "vdem_ert",
                "factor_code": "v2x_polyarchy",
                "score": value,
                "score_low": value - 0.02,
                "score_high": value + 0.02,
            }
        )
        rows.append(
            base | {"source_id": "vdem_ert", "factor_code": "v2x_regime", "score": float(regime)}
        )
    return pd.DataFrame(rows, columns=INDICATORS.column_names)


def coverage_frame() -> pd.DataFrame:
    def row(mart, source, code, first, last, status="covered", reason=None):
        years = 0 if first is None else last - first + 1
        return {
            "mart": mart,
            "source_id": source,
            "country_code": code,
            "country_name": TABLE1_COLUMNS[code][1],
            "is_central_asia": True,
            "first_year": first,
            "last_year": last,
            "years": years,
            "row_count": years,
            "value_rows": years,
            "status": status,
            "missing_reason": reason,
        }

    rows = [
        row("indicators", "wjp_roli", "KAZ", 2015, 2025),
        row("indicators", "wjp_roli", "TJK", None, None, "missing", "not in the index"),
        row("timeline", "paper", "KAZ", 2007, 2023),
    ]
    return pd.DataFrame(rows, columns=COVERAGE.column_names)


def ranks_frame() -> pd.DataFrame:
    def row(code, computed, published, agreement, explanation=None):
        return {
            "source_id": "wjp_roli",
            "country_iso3": code,
            "country_name": code,
            "edition_year": 2025,
            "measure_code": "F1",
            "scope": "global",
            "scope_name": "all",
            "score": 0.5,
            "computed_rank": computed,
            "computed_n_ranked": 143,
            "published_rank": published,
            "published_n_ranked": 143,
            "tied_with": [],
            "agreement": agreement,
            "explanation": explanation,
        }

    rows = [row("KAZ", 1, 1, "same"), row("UZB", 2, 3, "tie_order", "Tied at 0.5 with BGD.")]
    return pd.DataFrame(rows, columns=RANKS.column_names)


def report_inputs(**overrides) -> report.ReportInputs:
    inputs = {
        "indicators": indicators_frame(),
        "funding": funding_frame(),
        "timeline": timeline_frame(),
        "references": pd.DataFrame({"reference_key": ["a", "b", "c"]}),
        "source_files": pd.DataFrame(
            {
                "asset_key": ["raw_paper__table1_ranks", "raw_wjp__roli"],
                "relation": ["raw.table1_ranks", "raw.wjp_scores"],
                "url": [None, "https://example.org/roli.json"],
                "kind": ["transcription", "download"],
                "path": ["raw/paper/table1_ranks.csv", "https://example.org/roli.json"],
                "sha256": ["4ea9176f93391ab44b49c6dd36db85488e12de3a", "4edb3107" * 8],
                "title": ["Paper Table 1", "WJP snapshot"],
                "status": ["loaded", "loaded"],
                "obtained_from": ["repository", "cache"],
                "status_reason": [None, "from the cache"],
                "license": ["Facts", "CC BY 4.0"],
            }
        ),
    }
    inputs |= {
        "countries": pd.DataFrame(
            {
                "country_iso3": ["KAZ", "KGZ", "TJK"],
                "country_name": ["Kazakhstan", "Kyrgyzstan", "Tajikistan"],
                "is_central_asia": [True, True, True],
            }
        ),
        "paper_verification": pd.DataFrame(
            {
                "paper_table": ["Table 1"],
                "scope": ["global"],
                "verification": ["verified"],
                "cells": [11],
            }
        ),
        "wjp_snapshot": pd.DataFrame(
            [
                {
                    "status": "unavailable",
                    "reason": "offline",
                    "url": "http://127.0.0.1:9/x",
                    "sha256": "0" * 64,
                    "obtained_from": None,
                }
            ]
        ),
        "wjp_region_averages": pd.DataFrame(
            columns=["edition_year", "edition_label", "region", "measure_code", "average_score"]
        ),
    }
    inputs |= {
        "paper_claims": claims_frame(),
        "errata": errata_frame(),
        "vdem": vdem_frame(),
        "funding_totals": totals_frame(),
        "coverage": coverage_frame(),
        "rank_comparison": ranks_frame(),
    }
    inputs.update(overrides)
    return report.ReportInputs(**inputs)
