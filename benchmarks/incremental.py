"""`make bench`'s part `incremental`: what adding one small long-format source costs when the
warehouse already holds a large one (issue 23, part 3).

Two projects, each with the bench's download cache:
- `big`: a wide source of BENCH_INCREMENTAL_ROWS rows (default 25M: 1,000 indicators x 250
  countries x 100 years, Parquet) published by a first refresh;
- `small`: no long-format source, published by a first refresh.
Then the same 10k-row source (100 countries x 10 years x 10 indicators, Parquet) is dropped into
raw/indicators/ of both, and `python -m pipeline.cli refresh` (what `make run` runs) is timed in
each (wall time, peak RSS), alternately. `add_small_source_ratio` is big's refresh over
small's: adding a source should cost what the source costs, whatever else the warehouse holds.
The refresh is repeated
BENCH_INCREMENTAL_REPEATS times (default 3) by removing the small source (a refresh that
publishes its removal, accepted with --allow-shrink) and adding it again; medians.
The big refresh's output says whether the large source was reused (`reused`), and its part of
the export is compared byte for byte with the first release's (`reused_source_bytes_equal`).
The first releases are not measured; the big one is made with PIPELINE_DUCKDB_MEMORY_LIMIT=4GB
(FIRST_RELEASE_MEMORY), as a wide source's first release may need more than the default until
issue 23's part 2 bounds it; the refreshes measured use the machine's default.

Usage: BENCH_PARTS=incremental python -m benchmarks.run, or alone:
    python -m benchmarks.incremental [--rows N]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import tempfile
from pathlib import Path

import yaml

from benchmarks.synthetic_source import SEED, code_width, iso_codes

ROWS = int(os.environ.get("BENCH_INCREMENTAL_ROWS", "25000000"))
REPEATS = int(os.environ.get("BENCH_INCREMENTAL_REPEATS", "3"))
BIG, SMALL = "wide_big", "small_added"
SMALL_LAYOUT = (100, 10, 10)  # countries, years, indicators: 10,000 rows
WIDE_INDICATORS, WIDE_COUNTRIES = 1000, 250
FIRST_RELEASE_MEMORY = "4GB"


def wide_layout(rows: int) -> tuple[int, int, int]:
    """(countries, years, indicators) of the wide shape: 1,000 indicators over 250 countries
    (ISO's 249 and Kosovo's XKX) and rows / 250,000 years."""
    years = rows // (WIDE_INDICATORS * WIDE_COUNTRIES)
    if years < 1 or years * WIDE_INDICATORS * WIDE_COUNTRIES != rows:
        raise ValueError(f"{rows:,} rows are not 1,000 indicators x 250 countries x some years")
    return WIDE_COUNTRIES, years, WIDE_INDICATORS


def write_layout(out_dir: Path, source_id: str, layout: tuple[int, int, int]) -> Path:
    """A seeded source of `layout` as Parquet, sorted by its key, with its origin record."""
    import duckdb

    countries, years, indicators = layout
    out_dir.mkdir(parents=True, exist_ok=True)
    data = out_dir / f"{source_id}.parquet"
    codes = ", ".join(f"'{c}'" for c in (iso_codes(249) + ["XKX"])[:countries])
    width = code_width(indicators)
    query = f"""
        WITH countries AS (SELECT unnest([{codes}]) AS country_iso3),
        years AS (SELECT range::INTEGER AS year FROM range(1900, {1900 + years})),
        indicators AS (SELECT 'ind_' || lpad(range::VARCHAR, {width}, '0') AS indicator_code
                       FROM range({indicators}))
        SELECT country_iso3, year, indicator_code,
               round(hash(country_iso3, year, indicator_code, {SEED}) % 1000000 / 1000000.0, 4)
                   AS value
        FROM countries, years, indicators
        ORDER BY country_iso3, year, indicator_code
    """  # noqa: S608 (constants of this module only)
    con = duckdb.connect(config={"memory_limit": "2GB"})
    con.execute(f"COPY ({query}) TO '{data}' (FORMAT parquet, COMPRESSION zstd)")
    con.close()
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    rows = countries * years * indicators
    record = {
        "title": f"Synthetic benchmark source ({rows:,} rows)",
        "producer": "benchmarks/incremental.py (seeded generator)",
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
            f"ind_{i:0{width}d}": {"name": f"Synthetic indicator {i}", "description": "Random."}
            for i in range(indicators)
        },
    }
    with open(out_dir / f"{source_id}.meta.yml", "w", encoding="utf-8") as handle:
        yaml.safe_dump(record, handle, sort_keys=False)
    return data


def incremental(work: Path, cache: Path, rows: int = ROWS) -> dict:
    """The part's figures (module docstring)."""
    from benchmarks.processes import load, measure, new_project, refresh_command, stage_seconds

    spare = work / "small_source"
    projects, first = {}, {}
    for name in ("big", "small"):
        root, env = new_project(work, f"incremental_{name}", cache)
        if name == "big":
            generate(root / "raw" / "indicators", BIG, wide_layout(rows), env)
            generate(spare, SMALL, SMALL_LAYOUT, env)
        first_env = env | {"PIPELINE_DUCKDB_MEMORY_LIMIT": FIRST_RELEASE_MEMORY}
        first[name] = measure(refresh_command(), first_env)[:2]
        projects[name] = (root, env)
    started_load = load()
    runs = {"big": [], "small": []}
    outputs = {}
    export = projects["big"][0] / "warehouse" / "exports" / "indicators"
    before = _part_digest(export, BIG)
    for _ in range(REPEATS):
        for name, (root, env) in projects.items():
            folder = root / "raw" / "indicators"
            for path in spare.iterdir():
                shutil.copy(path, folder / path.name)
            wall, rss, output = measure(refresh_command(), env)
            runs[name].append((round(wall, 2), round(rss)))
            outputs[name] = output
            for path in spare.iterdir():
                (folder / path.name).unlink()
            measure([*refresh_command(), "--allow-shrink", SMALL], env)
    medians = {name: statistics.median(w for w, _ in figures) for name, figures in runs.items()}
    result = {
        "rows": rows,
        "big_layout": list(wide_layout(rows)),
        "small_rows": SMALL_LAYOUT[0] * SMALL_LAYOUT[1] * SMALL_LAYOUT[2],
        "first_release_seconds": {name: round(f[0], 2) for name, f in first.items()},
        "first_release_peak_rss_mb": {name: round(f[1]) for name, f in first.items()},
        "runs": runs,
        "medians": {name: round(value, 2) for name, value in medians.items()},
        "stage_seconds": {name: stage_seconds(o) for name, o in outputs.items()},
        "big_output": outputs["big"].splitlines()[:12],
        "reused": f"{BIG}: reused" in outputs["big"],
        "reused_source_bytes_equal": _part_digest(export, BIG) == before,
        "load_average": [started_load, load()],
        "add_small_source_ratio": round(medians["big"] / medians["small"], 2),
    }
    print(
        f"incremental: adding {result['small_rows']:,} rows to {rows:,}: {medians['big']} s, "
        f"to none: {medians['small']} s, ratio {result['add_small_source_ratio']}",
        flush=True,
    )
    return result


def generate(folder: Path, source_id: str, layout: tuple[int, int, int], env: dict) -> None:
    """write_layout in a child process: this one stays small, as run.measure needs."""
    from benchmarks.processes import PYTHON, measure

    code = "import sys; from benchmarks.incremental import write_layout; from pathlib import Path; "
    code += f"write_layout(Path(sys.argv[1]), {source_id!r}, {tuple(layout)!r})"
    measure([PYTHON, "-c", code, str(folder)], env)


def incremental_section(r: dict) -> list[str]:
    """docs/performance.md's account of the part (benchmarks/render.py)."""
    n = r.get("incremental")
    if not n:
        return []
    countries, years, indicators = n["big_layout"]
    stages = n["stage_seconds"]
    per_stage = "; ".join(
        f"{name}: " + ", ".join(f"{k} {v}" for k, v in stages[name].items())
        for name in ("big", "small")
    )
    return [
        "## Adding a small source beside a large one",
        "",
        f"`BENCH_PARTS=incremental` (benchmarks/incremental.py): a warehouse holding a wide "
        f"source of {n['rows']:,} rows ({indicators:,} indicators x {countries} countries x "
        f"{years} years, Parquet; first release {n['first_release_seconds']['big']} s, "
        f"{n['first_release_peak_rss_mb']['big']} MB) and one holding none (first release "
        f"{n['first_release_seconds']['small']} s). A {n['small_rows']:,}-row source is dropped "
        "into raw/indicators/ of each and `python -m pipeline.cli refresh` (what `make run` "
        "runs) publishes it; then it is removed again, so each run adds it anew. Medians of "
        f"{len(n['runs']['big'])}: **{n['medians']['big']} s** beside the large source "
        f"(runs, s and MB: {n['runs']['big']}), **{n['medians']['small']} s** beside none "
        f"({n['runs']['small']}): `add_small_source_ratio` **{n['add_small_source_ratio']}**. "
        f"The large source was reused, not read again: {n['reused']}; its part of the export "
        f"is byte for byte the first release's: {n['reused_source_bytes_equal']}. Seconds per "
        f"step of the last run, {per_stage}. Load averages {n['load_average']}.",
        "",
        "What is reused (pipeline/reuse.py): the source's typed table (in the copy of the "
        "published DuckDB file, verified by checksum with the rest of the release before the "
        "build starts; its row count must be the one the release recorded, and its data file's "
        "sha256 the one its record states), and its part of marts.indicators: its rows are not "
        "checked, compared with the previous release, counted or written again, and its export "
        "`exports/indicators/<source_id>.parquet` is the published file, whose sha256 is checked "
        "in the build. What is left of the large source's cost: verifying the release by checksum "
        "before the build (its DuckDB file and exports, about 250 MB here), copying the DuckDB "
        "file into the build and hashing it when the release is sealed; the source's export "
        "file is linked into the build, not copied, and hashed once per refresh "
        "(pipeline/digests.py).",
        "",
    ]


def _part_digest(folder: Path, source_id: str) -> str | None:
    """The sha256 of a source's part of the indicators export, if it has one."""
    path = folder / f"{source_id}.parquet"
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    args = parser.parse_args()
    from benchmarks.processes import fill_download_cache

    with tempfile.TemporaryDirectory(prefix="bench-incremental-") as tmp:
        work = Path(tmp)
        cache = work / "download_cache"
        fill_download_cache(work, cache)
        result = incremental(work, cache, args.rows)
    print(yaml.safe_dump(result, sort_keys=False))


if __name__ == "__main__":
    main()
