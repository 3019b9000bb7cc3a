"""Seeded synthetic long-format indicator source: countries x years x indicators, written as
Parquet or CSV with its origin record, in the shape a user drops into raw/indicators/.

The values are random numbers for measuring speed and memory; they describe nothing. The
origin record says so. Usage:
    python -m benchmarks.synthetic_source --rows 1000000 --out <raw_dir>/indicators [--csv]
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import duckdb
import yaml

from pipeline.settings import REPO_ROOT

SEED = 20261127
YEARS_START = 1900
N_COUNTRIES, N_YEARS, N_INDICATORS = 200, 125, 500  # 12.5M rows in full


def shape_for(rows: int) -> tuple[int, int, int]:
    """(countries, years, indicators) with countries x years x indicators == rows, for the
    sizes the benchmark uses (1M, 4M, 12.5M)."""
    indicators = max(1, rows // (N_COUNTRIES * N_YEARS))
    if N_COUNTRIES * N_YEARS * indicators != rows:
        raise ValueError(f"{rows} is not {N_COUNTRIES} x {N_YEARS} x an integer")
    return N_COUNTRIES, N_YEARS, indicators


def code_width(indicators: int) -> int:
    """Digits of an indicator's number in its code (ind_000 ... ind_499; ind_0000 beyond 1000),
    so that every code is distinct and sorts in number order."""
    return max(3, len(str(indicators - 1)))


def iso_codes(count: int) -> list[str]:
    with open((REPO_ROOT / "raw") / "reference" / "iso3166_countries.csv", encoding="utf-8") as f:
        codes = [line.split(",")[0] for line in f.read().splitlines()[1:]]
    return codes[:count]


def write_source(out_dir: Path, rows: int, source_id: str = "synthetic", as_csv: bool = False):
    countries, years, indicators = shape_for(rows)
    out_dir.mkdir(parents=True, exist_ok=True)
    data = out_dir / f"{source_id}.{'csv' if as_csv else 'parquet'}"
    codes = ", ".join(f"'{c}'" for c in iso_codes(countries))
    query = f"""
        WITH countries AS (SELECT unnest([{codes}]) AS country_iso3),
        years AS (SELECT range::INTEGER AS year FROM range({YEARS_START}, {YEARS_START + years})),
        indicators AS (SELECT 'ind_' || lpad(range::VARCHAR, {code_width(indicators)}, '0')
                       AS indicator_code FROM range({indicators}))
        SELECT country_iso3, year, indicator_code,
               round(hash(country_iso3, year, indicator_code, {SEED}) % 1000000 / 1000000.0, 4)
                   AS value
        FROM countries, years, indicators
        ORDER BY country_iso3, year, indicator_code
    """  # noqa: S608 (constants of this script only)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    options = "(HEADER)" if as_csv else "(FORMAT parquet, COMPRESSION zstd)"
    con.execute(f"COPY ({query}) TO '{data}' {options}")
    con.close()
    write_origin(out_dir, source_id, data, indicators, rows)
    return data


def write_origin(out_dir: Path, source_id: str, data: Path, indicators: int, rows: int) -> None:
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    origin = {
        "title": f"Synthetic benchmark source ({rows:,} rows)",
        "producer": "benchmarks/synthetic_source.py (seeded generator)",
        "citation": "Not a real source: random values for measuring the pipeline.",
        "locator": "whole file",
        "url": None,
        "url_note": "Generated locally by the benchmark; not published anywhere.",
        "date_accessed": None,
        "date_accessed_note": "Generated, not accessed.",
        "license": "Generated test data; no rights.",
        "transcription": f"Generated with seed {SEED}.",
        "notes": "The values describe nothing; never mix this source with real data.",
        "sha256": digest,
        "source_id": source_id,
        "file": data.name,
        "value_min": 0,
        "value_max": 1,
        "indicators": {
            f"ind_{i:0{code_width(indicators)}d}": {
                "name": f"Synthetic indicator {i}",
                "description": "Random.",
            }
            for i in range(indicators)
        },
    }
    with open(out_dir / f"{source_id}.meta.yml", "w", encoding="utf-8") as handle:
        yaml.safe_dump(origin, handle, sort_keys=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--csv", action="store_true")
    parser.add_argument("--source-id", default="synthetic")
    args = parser.parse_args()
    print(write_source(args.out, args.rows, args.source_id, as_csv=args.csv))


if __name__ == "__main__":
    main()
