"""`make bench`: scale, refresh cost and no-op refresh, measured on this machine.

1. Scale. A seeded synthetic long-format source (benchmarks/synthetic_source.py) of 1M, 4M and
   12.5M rows is dropped into a copy of raw/indicators/. (a) The pipeline's own path: a real
   `python -m pipeline.cli refresh` (Dagster, every asset: ingest, validate in DuckDB, mart,
   Parquet export, report, publish). (b) A plain DuckDB baseline in a fresh process: the same
   read, the same checks (the SQL the pipeline generates from the same spec) and the same
   sorted Parquet write, as one script. Wall time and peak RSS of each process (wait4).
2. Full refresh of the real project (no long source), median of 5 CLI runs, against Dagster's
   floor: one trivial asset materialized with the same instance set-up, median of 5.
3. No-op refresh: after a refresh, the sensor is evaluated; with no input or code changed it
   requests nothing (0 assets recomputed). A changed input makes it request a run (control).

Results: benchmarks/results/latest.json and docs/performance.md.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic_source import write_source
from pipeline import paths

SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "1000000,4000000,12500000").split(","))
REFRESH_REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
RESULTS = paths.REPO_ROOT / "benchmarks" / "results" / "latest.json"
REPORT = paths.REPO_ROOT / "docs" / "performance.md"
MEMORY_LIMIT = os.environ.get("PIPELINE_DUCKDB_MEMORY_LIMIT", "1GB")
OFFLINE_WJP = "http://127.0.0.1:9/roli.json"

TRIVIAL_ASSET = """
import dagster as dg

@dg.asset
def trivial():
    return 1

with dg.DagsterInstance.get() as instance:
    assert dg.materialize([trivial], instance=instance).success
"""


def measure(command: list[str], env: dict) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, output) of one child process."""
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=paths.REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{output[-3000:]}")
    return wall, usage.ru_maxrss / 1024, output


def project_env(root: Path) -> dict:
    home = root / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(paths.REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "PIPELINE_RAW_DIR": str(root / "raw"),
        "PIPELINE_WAREHOUSE_DIR": str(root / "warehouse"),
        "PIPELINE_CACHE_DIR": str(root / "cache"),
        "WJP_SNAPSHOT_URL": OFFLINE_WJP,
        "PIPELINE_DUCKDB_MEMORY_LIMIT": MEMORY_LIMIT,
    }


def new_project(parent: Path, name: str) -> Path:
    root = parent / name
    shutil.copytree(paths.RAW_DIR, root / "raw")
    return root


def baseline_script(source_dir: Path, out: Path, tmp: Path) -> str:
    """The plain-DuckDB script: read, the pipeline's checks for this source, sorted write."""
    from pipeline.schemas.indicator_sources import LONG_SOURCE
    from pipeline.schemas.spec import quote_ident
    from pipeline.transforms import indicator_sources as sources_io
    from pipeline.transforms.sql_checks import field_rules

    (source,) = sources_io.discover(source_dir.parent)
    rules = field_rules(LONG_SOURCE) + sources_io.source_rules(source)
    counts = ", ".join(f"count_if(NOT {r.holds})" for r in rules)
    keys = ", ".join(quote_ident(k) for k in LONG_SOURCE.primary_key)
    iso = paths.RAW_DIR / "reference" / "iso3166_countries.csv"
    countries = paths.RAW_DIR / "reference" / "countries.csv"
    return f"""
-- Constants and paths of this benchmark only (no data is formatted into the SQL).
SET memory_limit = '{MEMORY_LIMIT}';
SET temp_directory = '{tmp}';
CREATE SCHEMA raw;
CREATE TABLE raw.iso3166_countries AS SELECT * FROM read_csv('{iso}');
CREATE TABLE raw.countries AS SELECT * FROM read_csv('{countries}');
CREATE TABLE src AS SELECT CAST(file_row_number + 1 AS BIGINT) AS source_row,
    CAST(country_iso3 AS VARCHAR) AS country_iso3, CAST(year AS INTEGER) AS year,
    CAST(indicator_code AS VARCHAR) AS indicator_code, CAST(value AS DOUBLE) AS value,
    CAST(NULL AS INTEGER) AS rank, CAST(NULL AS INTEGER) AS n_ranked
    FROM read_parquet('{source.data_path}', file_row_number=true);
SELECT {counts} FROM src;
SELECT {keys}, count(*) FROM src GROUP BY {keys} HAVING count(*) > 1 LIMIT 20;
COPY (SELECT * FROM src ORDER BY {keys}) TO '{out}' (FORMAT parquet, COMPRESSION zstd);
"""  # noqa: S608


def run_baseline(root: Path) -> tuple[float, float]:
    script = root / "baseline.sql"
    (root / "duckdb_tmp").mkdir(exist_ok=True)
    script.write_text(
        baseline_script(root / "raw" / "indicators", root / "baseline.parquet", root / "duckdb_tmp")
    )
    runner = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[2]); "
        "[con.execute(s).fetchall() for s in open(sys.argv[1]).read().split(';') "
        "if s.strip()]"
    )
    wall, rss, _ = measure(
        [sys.executable, "-c", runner, str(script), str(root / "b.duckdb")], dict(os.environ)
    )
    return wall, rss


def run_refresh(root: Path) -> tuple[float, float, dict]:
    """(wall seconds, peak RSS MB, seconds per stage as the CLI prints them)."""
    wall, rss, output = measure(
        [sys.executable, "-m", "pipeline.cli", "refresh"], project_env(root)
    )
    return wall, rss, stage_seconds(output)


def stage_seconds(output: str) -> dict[str, float]:
    stages = {}
    for line in output.splitlines():
        match = re.match(r"^  (\w+)\s+\d+ assets.*?([0-9.]+) s$", line)
        if match:
            stages[match.group(1)] = float(match.group(2))
    return stages


def scale(work: Path) -> list[dict]:
    results = []
    for rows in SIZES:
        root = new_project(work, f"scale_{rows}")
        write_source(root / "raw" / "indicators", rows, source_id="synthetic")
        pipeline_wall, pipeline_rss, stages = run_refresh(root)
        baseline_wall, baseline_rss = run_baseline(root)
        results.append(
            {
                "rows": rows,
                "pipeline_seconds": round(pipeline_wall, 2),
                "pipeline_peak_rss_mb": round(pipeline_rss),
                "baseline_seconds": round(baseline_wall, 2),
                "baseline_peak_rss_mb": round(baseline_rss),
                "ratio": round(pipeline_wall / baseline_wall, 2),
                "pipeline_stage_seconds": stages,
            }
        )
        print(
            f"scale {rows:>11,} rows: pipeline {pipeline_wall:6.1f} s {pipeline_rss:6.0f} MB | "
            f"baseline {baseline_wall:6.1f} s {baseline_rss:6.0f} MB",
            flush=True,
        )
        shutil.rmtree(root)
    return results


def refresh_cost(work: Path) -> dict:
    root = new_project(work, "refresh")
    full = [run_refresh(root)[0] for _ in range(REFRESH_REPEATS)]
    stages = run_refresh(root)[2]
    env = project_env(root)
    floor = [measure([sys.executable, "-c", TRIVIAL_ASSET], env)[0] for _ in range(REFRESH_REPEATS)]
    result = {
        "full_refresh_seconds": [round(x, 2) for x in full],
        "floor_seconds": [round(x, 2) for x in floor],
        "full_refresh_median": round(statistics.median(full), 2),
        "floor_median": round(statistics.median(floor), 2),
        "stage_seconds_of_one_more_run": stages,
    }
    result["ratio"] = round(result["full_refresh_median"] / result["floor_median"], 2)
    print(f"refresh: median {result['full_refresh_median']} s, floor {result['floor_median']} s")
    return result | {"root": root}


def noop(root: Path) -> dict:
    """Evaluate the sensor against the published project in a fresh process."""
    probe = f"""
import json, dagster as dg
from pipeline.definitions import defs
from pipeline.defs.jobs import raw_files_changed
from pipeline.defs.resources import RawFilesResource, WarehouseResource
ctx = dg.build_sensor_context(definitions=defs, resources={{
    "raw_files": RawFilesResource(root={str(root / "raw")!r}),
    "warehouse": WarehouseResource(root={str(root / "warehouse")!r})}})
result = raw_files_changed(ctx)
print(json.dumps({{"requested": isinstance(result, dg.RunRequest), "reason": str(getattr(
    result, "skip_message", "") or "")}}))
"""
    env = project_env(root)
    _, _, unchanged = measure([sys.executable, "-c", probe], env)
    sources = root / "raw" / "reference" / "sources.csv"
    sources.write_text(sources.read_text() + "", encoding="utf-8")  # touched, same bytes
    _, _, touched = measure([sys.executable, "-c", probe], env)
    meta = root / "raw" / "reference" / "sources.meta.yml"
    meta.write_text(meta.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    _, _, edited = measure([sys.executable, "-c", probe], env)
    last = [json.loads(out.strip().splitlines()[-1]) for out in (unchanged, touched, edited)]
    recomputed = len(defs_assets()) if last[0]["requested"] else 0
    return {
        "noop_recomputed_assets": recomputed,
        "unchanged": last[0],
        "touched_same_bytes": last[1],
        "origin_record_edited": last[2],
    }


def defs_assets() -> list:
    from pipeline.definitions import defs

    return list(defs.resolve_asset_graph().get_all_asset_keys())


def machine() -> str:
    cpus = os.cpu_count()
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    python = platform.python_version()
    return f"{platform.machine()}, {cpus} cores, {memory_gb:.0f} GiB, Python {python}"


def write_results(scale_rows, refresh, noop_result) -> dict:
    largest = scale_rows[-1]
    first = scale_rows[0]
    results = {
        "machine": machine(),
        "command": "make bench",
        "duckdb_memory_limit": MEMORY_LIMIT,
        "scale": scale_rows,
        "scale_rows": largest["rows"],
        "scale_ratio": largest["ratio"],
        "scale_peak_rss_mb": largest["pipeline_peak_rss_mb"],
        "baseline_peak_rss_mb": largest["baseline_peak_rss_mb"],
        "scale_growth_seconds_per_million_rows": round(
            (largest["pipeline_seconds"] - first["pipeline_seconds"])
            / max((largest["rows"] - first["rows"]) / 1e6, 1e-9),
            3,
        ),
        "refresh": {k: v for k, v in refresh.items() if k != "root"},
        "refresh_ratio": refresh["ratio"],
        "noop": noop_result,
        "noop_recomputed_assets": noop_result["noop_recomputed_assets"],
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    REPORT.write_text(performance_markdown(results), encoding="utf-8")
    return results


def performance_markdown(r: dict) -> str:
    lines = [
        "# Performance",
        "",
        f"Measured by `{r['command']}` on: {r['machine']}. DuckDB memory limit "
        f"{r['duckdb_memory_limit']} (pipeline and baseline alike). Raw numbers: "
        "`benchmarks/results/latest.json`. Rerun `make bench` to refresh this page.",
        "",
        "## Scale: a long-format source through the pipeline vs plain DuckDB",
        "",
        "(a) `python -m pipeline.cli refresh` with the synthetic source in raw/indicators/ "
        "(every asset, through Dagster); (b) one DuckDB script: same read, same checks, same "
        "sorted Parquet write. Wall time and peak RSS of each process.",
        "",
        "| rows | pipeline (s) | pipeline peak RSS (MB) | baseline (s) | baseline peak RSS (MB) "
        "| ratio a/b |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for s in r["scale"]:
        cells = [
            f"{s['rows']:,}",
            s["pipeline_seconds"],
            s["pipeline_peak_rss_mb"],
            s["baseline_seconds"],
            s["baseline_peak_rss_mb"],
            s["ratio"],
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    largest = r["scale"][-1]
    lines += [
        "",
        f"Where the pipeline's {largest['pipeline_seconds']} s go at {largest['rows']:,} "
        "rows (seconds per stage, as `make run` prints them; the rest is process start-up, "
        "imports and Dagster's per-step overhead):",
        "",
        "| " + " | ".join(largest["pipeline_stage_seconds"]) + " |",
        "|" + "---:|" * len(largest["pipeline_stage_seconds"]),
        "| " + " | ".join(str(v) for v in largest["pipeline_stage_seconds"].values()) + " |",
        "",
    ] + GAP_EXPLANATION
    refresh = r["refresh"]
    slopes = [
        (b["pipeline_seconds"] - a["pipeline_seconds"]) / ((b["rows"] - a["rows"]) / 1e6)
        for a, b in zip(r["scale"], r["scale"][1:], strict=False)
    ]
    peak = max(s["pipeline_peak_rss_mb"] for s in r["scale"])
    lines += [
        f"Growth: {r['scale_growth_seconds_per_million_rows']} s per extra million rows from "
        f"the smallest to the largest size; between consecutive sizes: "
        f"{', '.join(f'{x:.2f}' for x in slopes)} s per million. Largest pipeline peak RSS: "
        f"{peak} MB.",
        "",
        "## Full refresh of the project",
        "",
        f"Median of {len(refresh['full_refresh_seconds'])} CLI refreshes: "
        f"{refresh['full_refresh_median']} s (runs: {refresh['full_refresh_seconds']}). "
        f"Dagster's floor, one trivial asset with the same instance set-up: "
        f"{refresh['floor_median']} s (runs: {refresh['floor_seconds']}). "
        f"Ratio: **{r['refresh_ratio']}**. Stages of one more run: "
        f"{refresh['stage_seconds_of_one_more_run']}.",
        "",
        REFRESH_EXPLANATION,
        "",
        "## No-op refresh",
        "",
        f"With nothing changed the sensor requests nothing: **{r['noop_recomputed_assets']}** "
        f'assets recomputed ("{r["noop"]["unchanged"]["reason"]}"). A file touched with the '
        f"same bytes: requested = {r['noop']['touched_same_bytes']['requested']}. An origin "
        f"record edited: requested = {r['noop']['origin_record_edited']['requested']}.",
        "",
    ]
    return "\n".join(lines)


GAP_EXPLANATION = [
    "**Why the ratio is above the 1.5 target.** The baseline reads the source, runs the checks "
    "and writes the same 7 columns back. The pipeline does that and more, by design: (1) raw: "
    "the source is read as text and every cell's type checked with its file row (no silent "
    "rounding), then typed into its own table; (2) marts: the rows are joined to country and "
    "indicator names and copied into `marts.indicators`, the public table; (3) exports: the "
    "mart's 21 columns (the contract: source, locator, row, names, scope, verification...) are "
    "written sorted by the primary key, so that reruns give the same bytes; sorting rows that "
    "wide under DuckDB's 1GB memory limit spills to disk, and it is the largest single cost; "
    "(4) the paper's own tables, the WJP step, the report and the atomic publish add a fixed "
    "few seconds (the 1M-row run shows that floor). Ways to close the gap, not taken yet: "
    "export each long source as its own narrow Parquet file instead of inside the 21-column "
    "indicators export; keep `marts.indicators` rows of large sources as a view over their "
    "typed table; raise the memory limit where the machine allows.",
    "",
]
REFRESH_EXPLANATION = (
    "The floor is Python, Dagster's import, the instance and one trivial step. A refresh adds "
    "the project's imports (pandas, pandera, pyarrow, DuckDB), nine steps at about 0.1 s of "
    "framework overhead each, and the work itself: every raw file parsed and checked with "
    "pandera, the WJP step, the marts built and checked in SQL, five exports read back, the "
    "report, and a publish that fsyncs the release. That work is what the 1.5 target leaves "
    "no room for; the stage times above show where it goes."
)


def main() -> None:
    if "--render" in sys.argv:  # rewrite docs/performance.md from the last results
        REPORT.write_text(performance_markdown(json.loads(RESULTS.read_text())), encoding="utf-8")
        return
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        scale_rows = scale(work)
        refresh = refresh_cost(work)
        noop_result = noop(refresh["root"])
        results = write_results(scale_rows, refresh, noop_result)
    print(
        json.dumps(
            {
                k: results[k]
                for k in (
                    "scale_rows",
                    "scale_ratio",
                    "scale_peak_rss_mb",
                    "baseline_peak_rss_mb",
                    "refresh_ratio",
                    "noop_recomputed_assets",
                )
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
