"""Seeded synthetic long-format indicator sources in the shapes real indicator datasets have,
written as Parquet or CSV with their origin records, as a user drops them into raw/indicators/.

Shapes (`layout`), each at any row count its arithmetic allows:
- narrow: 200 countries x 125 years x (rows / 25,000) indicators (the first bench's source);
- wide: at least 1,000 indicators over at most 250 countries (ISO's 249 and Kosovo's XKX) x 100
  years (25M rows: 1,000 x 250 x 100); a smaller size keeps the indicators and has fewer years,
  then fewer countries;
- long: 10 indicators x 200 years over many sub-national units. The source spec
  (pipeline/schemas/indicator_sources.py) has no unit column: a row's place is `country_iso3`,
  three capital letters, which an origin record may declare under `country_codes` as the source's
  own code (status source_specific) with the ISO country the unit is part of (`maps_to`). So the
  units are such declared codes, rows / 2,000 of them (12,500 at 25M rows). An origin record may
  hold at most 1 MB, so a record declares at most about 15,000 codes, one line each;
- many_sources: sources of 250,000 rows each (100 of them at 25M rows), each 200 countries x
  125 years x 10 indicators; below 1M rows, 4 sources of rows / 4.

The values are random numbers for measuring speed and memory; they describe nothing. The
origin records say so. Usage:
    python -m benchmarks.synthetic_source --rows 1000000 --out <raw_dir>/indicators [--csv]
        [--shape narrow|wide|long|many_sources] [--layout COUNTRIES,YEARS,INDICATORS]
It prints the data files written, one a line.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import string
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from pipeline.settings import REPO_ROOT

SEED = 20261127
YEARS_START = 1900
LONG_YEARS_START = 1825
N_COUNTRIES, N_YEARS, N_INDICATORS = 200, 125, 500  # narrow: 12.5M rows in full
SHAPES = ("narrow", "wide", "long", "many_sources")
SOURCE_ROWS = 250_000  # many_sources: rows per source


@dataclass(frozen=True)
class Layout:
    """One source's countries (ISO codes, then XKX), declared sub-national units, years and
    indicators; `sources` such sources."""

    countries: int
    years: int
    indicators: int
    units: int = 0
    sources: int = 1
    years_start: int = YEARS_START

    @property
    def rows(self) -> int:
        return (self.countries + self.units) * self.years * self.indicators * self.sources


def shape_for(rows: int) -> tuple[int, int, int]:
    """(countries, years, indicators) of the narrow shape at `rows`."""
    layout = narrow(rows)
    return layout.countries, layout.years, layout.indicators


def narrow(rows: int) -> Layout:
    return exactly(rows, Layout(N_COUNTRIES, N_YEARS, max(1, rows // (N_COUNTRIES * N_YEARS))))


def wide(rows: int) -> Layout:
    indicators = max(1000, rows // 25_000)
    places = rows // indicators  # country-years
    years = min(100, max(1, places // 250))
    return exactly(rows, Layout(places // years, years, indicators))


def long(rows: int) -> Layout:
    return exactly(rows, Layout(0, 200, 10, units=rows // 2000, years_start=LONG_YEARS_START))


def many_sources(rows: int) -> Layout:
    per_source = SOURCE_ROWS if rows >= 1_000_000 else rows // 4
    years = min(N_YEARS, per_source // 2000)
    return exactly(rows, Layout(200, years, 10, sources=rows // per_source))


def layout(shape: str, rows: int) -> Layout:
    """The layout of `shape` at `rows` (module docstring)."""
    return {"narrow": narrow, "wide": wide, "long": long, "many_sources": many_sources}[shape](rows)


def exactly(rows: int, found: Layout) -> Layout:
    if found.rows != rows or found.countries > 250 or found.years > 200 or not found.years:
        raise ValueError(f"{rows:,} rows do not fit the shape's arithmetic ({found})")
    return found


def source_ids(found: Layout, source_id: str = "synthetic") -> list[str]:
    """One id, or `<source_id>_000` ... for several sources."""
    if found.sources == 1:
        return [source_id]
    return [f"{source_id}_{n:03d}" for n in range(found.sources)]


def code_width(indicators: int) -> int:
    """Digits of an indicator's number in its code (ind_000 ... ind_499; ind_0000 beyond 1000),
    so that every code is distinct and sorts in number order."""
    return max(3, len(str(indicators - 1)))


def iso_codes(count: int) -> list[str]:
    """The first `count` codes of ISO's list, then Kosovo's XKX (the project's)."""
    with open((REPO_ROOT / "raw") / "reference" / "iso3166_countries.csv", encoding="utf-8") as f:
        codes = [line.split(",")[0] for line in f.read().splitlines()[1:]]
    return (codes + ["XKX"])[:count]


def unit_codes(count: int) -> dict[str, str]:
    """`count` three-letter codes that no list the project reads uses (ISO's, the project's,
    V-Dem's declared ones), each mapped to the ISO country the unit is said to be part of."""
    raw = REPO_ROOT / "raw"
    taken = set(iso_codes(250))
    vdem = yaml.safe_load((raw / "vdem" / "ert.meta.yml").read_text(encoding="utf-8"))
    taken |= set(vdem.get("country_codes") or {})
    with open(raw / "reference" / "countries.csv", encoding="utf-8") as f:
        taken |= {line.split(",")[0] for line in f.read().splitlines()[1:]}
    free = (
        "".join(c)
        for c in itertools.product(string.ascii_uppercase, repeat=3)
        if "".join(c) not in taken
    )
    codes = list(itertools.islice(free, count))
    if len(codes) < count:
        raise ValueError(f"only {len(codes)} free three-letter codes, not {count}")
    parents = iso_codes(249)
    return {code: parents[n % len(parents)] for n, code in enumerate(codes)}


def write_source(
    out_dir: Path, rows: int, source_id: str = "synthetic", as_csv: bool = False
) -> Path:
    """The narrow shape's source (the first bench's); returns its data file."""
    return write_sources(out_dir, narrow(rows), source_id, as_csv)[0]


def write_sources(
    out_dir: Path, found: Layout, source_id: str = "synthetic", as_csv: bool = False
) -> list[Path]:
    """Every source of `found`, each sorted by its key, with its origin record."""
    out_dir.mkdir(parents=True, exist_ok=True)
    units = unit_codes(found.units) if found.units else {}
    places = ", ".join(f"'{c}'" for c in iso_codes(found.countries) + list(units))
    written = []
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    for number, sid in enumerate(source_ids(found, source_id)):
        data = out_dir / f"{sid}.{'csv' if as_csv else 'parquet'}"
        start = found.years_start
        query = f"""
            WITH places AS (SELECT unnest([{places}]) AS country_iso3),
            years AS (SELECT range::INTEGER AS year FROM range({start}, {start + found.years})),
            indicators AS (SELECT 'ind_' || lpad(range::VARCHAR, {code_width(found.indicators)},
                           '0') AS indicator_code FROM range({found.indicators}))
            SELECT country_iso3, year, indicator_code,
                   round(hash(country_iso3, year, indicator_code, {SEED + number})
                         % 1000000 / 1000000.0, 4) AS value
            FROM places, years, indicators
            ORDER BY country_iso3, year, indicator_code
        """  # noqa: S608 (constants of this script only)
        options = "(HEADER)" if as_csv else "(FORMAT parquet, COMPRESSION zstd)"
        con.execute(f"COPY ({query}) TO '{data}' {options}")
        write_origin(out_dir, sid, data, found, units)
        written.append(data)
    con.close()
    return written


def write_origin(out_dir: Path, source_id: str, data: Path, found: Layout, units: dict) -> None:
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    per_source = found.rows // found.sources
    origin = {
        "title": f"Synthetic benchmark source ({per_source:,} rows)",
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
            f"ind_{i:0{code_width(found.indicators)}d}": {
                "name": f"Synthetic indicator {i}",
                "description": "Random.",
            }
            for i in range(found.indicators)
        },
    }
    with open(out_dir / f"{source_id}.meta.yml", "w", encoding="utf-8") as handle:
        yaml.safe_dump(origin, handle, sort_keys=False)
        if units:  # one line each: an origin record may hold at most 1 MB (files.py)
            handle.write("country_codes:\n")
            for code, parent in units.items():
                # quoted: YAML reads YES, OFF and the like as booleans
                entry = f"{{name: Unit {code}, status: source_specific, maps_to: '{parent}'}}"
                handle.write(f"  '{code}': {entry}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--csv", action="store_true")
    parser.add_argument("--source-id", default="synthetic")
    parser.add_argument("--shape", choices=SHAPES, default="narrow")
    parser.add_argument("--layout", help="COUNTRIES,YEARS,INDICATORS instead of a shape's")
    args = parser.parse_args()
    if args.layout:
        found = exactly(args.rows, Layout(*(int(n) for n in args.layout.split(","))))
    else:
        found = layout(args.shape, args.rows)
    for data in write_sources(args.out, found, args.source_id, as_csv=args.csv):
        print(data)


if __name__ == "__main__":
    main()
