"""`make bench`: scale, refresh cost and no-op refresh, measured on this machine; writes
benchmarks/results/latest.json and docs/performance.md (benchmarks/render.py).

1. Scale (benchmarks/scale.py). Seeded synthetic long-format sources of each shape in
   BENCH_SHAPES (default narrow, wide, long, many_sources; benchmarks/synthetic_source.py), as
   Parquet and as CSV, of each size in BENCH_SIZES (default 12.5M and 25M rows) are dropped
   into a copy of raw/indicators/, and three processes are timed (wall time, peak RSS, wait4):
   (a) the pipeline: `python -m pipeline.cli refresh`, every asset through Dagster, a first
       release into an empty warehouse;
   (b) the same-output DuckDB script (benchmarks/reference.py): the same checks, the same rows
       of marts.indicators with every column, the same Parquet export of the sources' rows;
   (c) DuckDB's floor: the sources read and written back to Parquet in one COPY.
   The sources' rows in (a)'s export and (b)'s export are compared column by column, in file
   order (outputs_equal). A pipeline run that fails is recorded as not completed (with its last
   lines), and the bench goes on. Each size runs BENCH_SCALE_REPEATS times (default 3):
   medians. Then one more forced refresh of (a) on top of its release: a second release, which
   also compares every mart with the previous release's export (marts.release_changes); its
   indicators export must be byte for byte the first one's.
2. Full refresh of the project (no long source), median of BENCH_REPEATS (default 5) CLI runs,
   against Dagster's floor (one trivial asset, same instance set-up) and against the same asset
   graph with empty bodies, cut and reported as the pipeline does and as the alternatives
   docs/materialization.md weighs (benchmarks/graphs.py), interleaved in one run; and the
   imports a refresh adds to Dagster's.
3. Incremental (benchmarks/incremental.py): adding a 10k-row source to a warehouse holding a
   25M-row wide one, against adding it to a warehouse without it (add_small_source_ratio).
4. No-op: with nothing changed, `python -m pipeline.cli refresh` (what `make run` runs) answers
   from the release manifest without starting Dagster (median of BENCH_REPEATS), and the sensor
   requests nothing (0 assets recomputed); a changed origin record makes it request a run.

WJP's and V-Dem's files are put into the bench's download cache by a first refresh, as a user's
cache holds them after the first download: from the mirror WJP_SNAPSHOT_URL and
VDEM_SNAPSHOT_URL name, else the pinned URLs; when neither answers, they are unavailable.
BENCH_PARTS (default scale,refresh,incremental,noop) runs some parts only; sizes outside the
default ones (e.g. BENCH_SIZES=100000000 BENCH_SHAPES=wide BENCH_FORMATS=parquet) are kept in
benchmarks/results/recorded_once.json. Results are keyed by shape, format and rows; the
targets read narrow 12.5M Parquet (`scale_ratio`), narrow 12.5M CSV (`scale_ratio_csv`) and wide
25M Parquet (`scale_ratio_wide`), and every shape at 25M (`peak_rss_mb_25m`, `all_completed`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.graphs import EMPTY_GRAPHS, TRIVIAL_ASSET
from benchmarks.processes import (  # noqa: F401 (new_project: the bench's project, for others)
    commit,
    fill_download_cache,
    load,
    measure,
    new_project,
    python,
    refresh_command,
    stage_seconds,
)
from benchmarks.scale import DEFAULT_SIZES, case_of, scale, scale_figures
from pipeline.settings import REPO_ROOT, Settings

REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
PARTS = tuple(os.environ.get("BENCH_PARTS", "scale,refresh,incremental,noop").split(","))
RESULTS = REPO_ROOT / "benchmarks" / "results" / "latest.json"
RECORDED_ONCE = REPO_ROOT / "benchmarks" / "results" / "recorded_once.json"
DAGSTER_IMPORTS = "import dagster"
PROJECT_IMPORTS = (
    "import dagster, duckdb, pandas, pandera.pandas, pyarrow.parquet, pipeline.defs.factory, "
    "narwhals.stable.v2, pandera.backends.narwhals.builtin_checks"
)


# --- 2. refresh --------------------------------------------------------------------------------


def refresh_cost(work: Path, cache: Path) -> dict:
    root, env = new_project(work, "refresh", cache)
    measure(refresh_command(), env)  # the first release (and the parsed downloads) aside
    commands = {
        "full_refresh": refresh_command(force=True),
        "floor": python(TRIVIAL_ASSET),
        **{f"empty_graph_{name}": python(code) for name, code in EMPTY_GRAPHS.items()},
        "dagster_imports": python(DAGSTER_IMPORTS),
        "project_imports": python(PROJECT_IMPORTS),
    }
    runs = {name: [] for name in commands}
    outputs = []
    started_load = load()
    for _ in range(REPEATS):
        for name, command in commands.items():
            wall, _, output = measure(command, env)
            runs[name].append(round(wall, 2))
            if name == "full_refresh":
                outputs.append(output)
    medians = {name: round(statistics.median(walls), 2) for name, walls in runs.items()}
    result = {
        "runs": runs,
        "medians": medians,
        "load_average": [started_load, load()],
        "stage_seconds_of_each_run": [stage_seconds(o) for o in outputs],
        "ratio": round(medians["full_refresh"] / medians["floor"], 2),
        "graph_overhead_ratio": round(medians["full_refresh"] / medians["empty_graph_chosen"], 2),
        "empty_graph_ratio": round(medians["empty_graph_chosen"] / medians["floor"], 2),
    }
    print(
        f"refresh: median {medians['full_refresh']} s, floor {medians['floor']} s, "
        f"same graph with empty bodies {medians['empty_graph_chosen']} s",
        flush=True,
    )
    return result | {"root": root, "env": env}


# --- 3. no-op ----------------------------------------------------------------------------------

SENSOR_PROBE = """
import json, sys, dagster as dg
from pipeline.defs.factory import build_definitions
from pipeline.defs.resources import ProjectResource
defs = build_definitions()
with dg.DagsterInstance.get() as instance:
    context = dg.build_sensor_context(
        instance=instance, resources={"project": ProjectResource()}, definitions=defs
    )
    result = defs.get_sensor_def("raw_files_changed")(context)
requested = isinstance(result, dg.RunRequest)
graph = defs.resolve_asset_graph()
in_graph = {"assets": len(graph.get_all_asset_keys()),
            "checks": sum(len(list(a.check_specs)) for a in graph.assets_defs),
            "steps": len(list(graph.assets_defs))}
selected = len(result.asset_selection or graph.get_all_asset_keys()) if requested else 0
print(json.dumps({"requested": requested, "assets": selected, "graph": in_graph,
                  "reason": str(getattr(result, "skip_message", "") or "")}))
"""


def noop(root: Path, env: dict, floor_median: float) -> dict:
    walls = []
    for _ in range(REPEATS):
        wall, _, output = measure(refresh_command(), env)
        if not output.startswith("Nothing changed since release"):
            raise RuntimeError(f"the no-op refresh did work:\n{output[-2000:]}")
        walls.append(round(wall, 2))
    unchanged = sensor(env)
    meta = root / "raw" / "reference" / "sources.meta.yml"
    meta.write_text(meta.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    edited = sensor(env)
    median = round(statistics.median(walls), 2)
    print(f"no-op: median {median} s; sensor requests {unchanged['assets']} assets", flush=True)
    return {
        "cli_runs": walls,
        "cli_median": median,
        "ratio": round(median / floor_median, 2),
        "sensor_unchanged": unchanged,
        "sensor_after_an_origin_record_edit": edited,
        "noop_recomputed_assets": unchanged["assets"],
    }


def sensor(env: dict) -> dict:
    _, _, output = measure(python(SENSOR_PROBE), env)
    return json.loads(output.strip().splitlines()[-1])


# --- results -----------------------------------------------------------------------------------


def machine() -> dict:
    cpus = os.cpu_count()
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "machine": f"{platform.machine()}, {cpus} cores, {memory_gb:.0f} GiB, "
        f"Python {platform.python_version()}",
        "duckdb_memory_limit": Settings.resolve().memory_limit,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
    }


def key_figures(results: dict) -> dict:
    """The keys `make bench` checks: the scale's (scale.py), the refresh's, the incremental
    part's and the no-op's."""
    figures = scale_figures(results)
    if "refresh" in results:
        figures["refresh_ratio"] = results["refresh"]["ratio"]
        figures["graph_overhead_ratio"] = results["refresh"]["graph_overhead_ratio"]
    if "incremental" in results:
        figures["add_small_source_ratio"] = results["incremental"]["add_small_source_ratio"]
    if "noop" in results:
        figures["noop_run_ratio"] = results["noop"]["ratio"]
        figures["noop_recomputed_assets"] = results["noop"]["noop_recomputed_assets"]
    return figures


def write_results(results: dict, measured: bool = True) -> dict:
    """latest.json (and recorded_once.json) from a run's results, then docs/performance.md;
    `measured` False: only render the results as they are."""
    from benchmarks.render import performance_markdown

    extra = [s for s in results.get("scale", []) if s["rows"] not in DEFAULT_SIZES]
    if (
        extra and measured
    ):  # a one-off size (BENCH_SIZES): kept apart, shown beside the default sizes
        once = json.loads(RECORDED_ONCE.read_text()) if RECORDED_ONCE.is_file() else []
        kept = [s for s in once if case_of(s) not in {case_of(e) for e in extra}]
        RECORDED_ONCE.write_text(json.dumps(kept + extra, indent=2) + "\n", encoding="utf-8")
    scaled = any(s["rows"] in DEFAULT_SIZES for s in results.get("scale", []))
    if measured and RESULTS.is_file():  # the parts not run are kept, each with its own date
        previous = json.loads(RESULTS.read_text())
        parts = ("refresh", "incremental", "noop") + (() if scaled else ("scale",))
        kept = {k: previous[k] for k in parts if k in previous and k not in results}
        if scaled:  # the cases this run left out (BENCH_CASES) keep their earlier figures
            done = {case_of(s) for s in results["scale"]}
            earlier = [
                {"commit": previous.get("commit")} | s
                for s in previous.get("scale", [])
                if case_of(s) not in done and s["rows"] in DEFAULT_SIZES
            ]
            results["scale"] = earlier + results["scale"]
        dates = previous.get("kept_from_earlier_runs") or {}
        results |= kept | {
            "kept_from_earlier_runs": {
                k: dates.get(k, f"{previous.get('date')}, commit {previous.get('commit')}")
                for k in kept
            }
        }
    results |= key_figures(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    once = json.loads(RECORDED_ONCE.read_text()) if RECORDED_ONCE.is_file() else []
    (REPO_ROOT / "docs" / "performance.md").write_text(
        performance_markdown(results, once), encoding="utf-8"
    )
    return results


def main() -> None:
    if {"-h", "--help"} & set(sys.argv[1:]):  # what it does and its variables, nothing run
        print(__doc__)
        return
    if "--render" in sys.argv:  # rewrite docs/performance.md from the last results
        write_results(json.loads(RESULTS.read_text()), measured=False)
        return
    results = {"command": "make bench", **machine(), "parts": list(PARTS)}
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        work = Path(tmp)
        cache = work / "download_cache"
        results["downloads"] = fill_download_cache(work, cache)  # also parses them, once
        if "scale" in PARTS:
            results["scale"] = scale(work, cache)
        if "incremental" in PARTS:
            from benchmarks.incremental import incremental

            results["incremental"] = incremental(work, cache)
        if "refresh" in PARTS or "noop" in PARTS:
            refresh = refresh_cost(work, cache)
            root, env = refresh.pop("root"), refresh.pop("env")
            results["refresh"] = refresh
            if "noop" in PARTS:
                results["noop"] = noop(root, env, refresh["medians"]["floor"])
    results = write_results(results)
    print(json.dumps(key_figures(results), indent=2))


if __name__ == "__main__":
    main()
