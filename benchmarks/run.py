"""`make bench`: scale, refresh cost and no-op refresh, measured on this machine; writes
benchmarks/results/latest.json and docs/performance.md (benchmarks/render.py).

1. Scale. A seeded synthetic long-format source (benchmarks/synthetic_source.py), as Parquet and
   as CSV, of each size in BENCH_SIZES (default 1M, 4M, 12.5M rows) is dropped into a copy of
   raw/indicators/, and three processes are timed (wall time, peak RSS from wait4):
   (a) the pipeline: `python -m pipeline.cli refresh`, every asset through Dagster, a first
       release into an empty warehouse;
   (b) the same-output DuckDB script (benchmarks/reference.py): the same checks, the same rows
       of marts.indicators with every column, the same Parquet export of the source's rows;
   (c) DuckDB's floor: the source read and written back to Parquet in one COPY.
   The source's rows in (a)'s export and (b)'s export are compared column by column, in file
   order (outputs_equal). Each size runs BENCH_SCALE_REPEATS times (default 3): medians. Then
   one more forced refresh of (a) on top of its release: a second release, which also compares
   every mart with the previous release's export (marts.release_changes); its indicators export
   must be byte for byte the first one's.
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
default ones (e.g. BENCH_SIZES=50000000) are kept in benchmarks/results/recorded_once.json.
"""

from __future__ import annotations

import datetime as dt
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

import yaml

from benchmarks.graphs import EMPTY_GRAPHS, TRIVIAL_ASSET
from pipeline.settings import REPO_ROOT, Settings
from pipeline.transforms.download_sources import DOWNLOADS
from pipeline.transforms.files import sha256_file

DEFAULT_SIZES = (1_000_000, 4_000_000, 12_500_000)
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "").split(",") if n) or DEFAULT_SIZES
FORMATS = tuple(os.environ.get("BENCH_FORMATS", "parquet,csv").split(","))
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
SCALE_REPEATS = int(os.environ.get("BENCH_SCALE_REPEATS", "3"))
PARTS = tuple(os.environ.get("BENCH_PARTS", "scale,refresh,incremental,noop").split(","))
RESULTS = REPO_ROOT / "benchmarks" / "results" / "latest.json"
RECORDED_ONCE = REPO_ROOT / "benchmarks" / "results" / "recorded_once.json"
UNREACHABLE = "http://127.0.0.1:9/unreachable"  # nothing listens there: offline at once
SOURCE_ID = "synthetic"
PYTHON = sys.executable

DAGSTER_IMPORTS = "import dagster"
PROJECT_IMPORTS = (
    "import dagster, duckdb, pandas, pandera.pandas, pyarrow.parquet, pipeline.defs.factory"
)


# --- processes ---------------------------------------------------------------------------------


def measure(command: list[str], env: dict) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, output) of one child process. Linux gives a child the
    peak RSS of the process it was started from as its own starting peak, so this process does
    no heavy work itself: data generation and comparisons run in children too."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{output[-3000:]}")
    return wall, usage.ru_maxrss / 1024, output


def python(code: str) -> list[str]:
    return [PYTHON, "-c", code]


def refresh_command(force: bool = False) -> list[str]:
    return [PYTHON, "-m", "pipeline.cli", "refresh", *(["--force"] if force else [])]


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- projects ----------------------------------------------------------------------------------


def new_project(work: Path, name: str, cache: Path) -> tuple[Path, dict]:
    """A copy of raw/, an empty warehouse, its own Dagster home; the bench's download cache."""
    root = work / name
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(REPO_ROOT / "raw", root / "raw")
    (root / "raw" / "indicators").mkdir(exist_ok=True)
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "DAGSTER_HOME": str(home),
        "PIPELINE_RAW_DIR": str(root / "raw"),
        "PIPELINE_WAREHOUSE_DIR": str(root / "warehouse"),
        "PIPELINE_CACHE_DIR": str(cache),
        **{source.url_env: UNREACHABLE for source in DOWNLOADS},
    }
    return root, env


def fill_download_cache(work: Path, cache: Path) -> dict[str, str]:
    """The pinned downloads in the bench's cache, obtained as a refresh obtains them: from the
    mirror a *_SNAPSHOT_URL variable names, else the pinned URL. {source_id: how it went}."""
    _, env = new_project(work, "download", cache)
    for source in DOWNLOADS:
        env.pop(source.url_env)
        if os.environ.get(source.url_env):
            env[source.url_env] = os.environ[source.url_env]
    measure(refresh_command(), env)
    shutil.rmtree(work / "download")
    found = {}
    for source in DOWNLOADS:
        record = yaml.safe_load(source.record_path(REPO_ROOT / "raw").read_text())
        cached = cache / source.folder / f"{record['sha256']}{source.suffix}"
        found[source.source_id] = (
            "from the download cache"
            if cached.is_file() and sha256_file(cached) == record["sha256"]
            else "unavailable (no mirror variable set and the pinned URL unreachable)"
        )
    return found


def stage_seconds(output: str) -> dict[str, float]:
    """Seconds per stage as the CLI prints them ('  raw   19 assets ... 1.23 s')."""
    stages = {}
    for line in output.splitlines():
        match = re.match(r"^  (\w+)\s+\d+ assets.*?([0-9.]+) s$", line)
        if match:
            stages[match.group(1)] = float(match.group(2))
    return stages


# --- 1. scale ----------------------------------------------------------------------------------


def scale(work: Path, cache: Path) -> list[dict]:
    results = []
    for fmt in FORMATS:
        for rows in SIZES:
            results.append(scale_one(work, cache, fmt, rows))
    return results


def scale_one(work: Path, cache: Path, fmt: str, rows: int) -> dict:
    root, env = new_project(work, f"scale_{fmt}_{rows}", cache)
    data = generate(root / "raw" / "indicators", rows, fmt, env)
    runs = {"a": [], "b": [], "c": []}
    started_load = load()
    for _ in range(SCALE_REPEATS):
        shutil.rmtree(root / "warehouse", ignore_errors=True)
        runs["a"].append(measure(refresh_command(), env))
        runs["b"].append(run_reference(root, env, "same-output"))
        runs["c"].append(run_reference(root, env, "floor", data))
    export = root / "warehouse" / "exports" / "indicators" / f"{SOURCE_ID}.parquet"
    first_bytes = sha256_file(export)
    second, second_rss, _ = measure(refresh_command(force=True), env)
    result = {
        "format": fmt,
        "rows": rows,
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d"),
        "file_mb": round(data.stat().st_size / 2**20, 1),
        "load_average": [started_load, load()],
        **{f"{k}_{n}": v for k, figures in runs.items() for n, v in summary(figures).items()},
        "pipeline_stage_seconds": stage_seconds(runs["a"][-1][2]),
        "a_second_release_seconds": round(second, 2),
        "a_second_release_peak_rss_mb": round(second_rss),
        "export_bytes_identical_on_rerun": sha256_file(export) == first_bytes,
        "reference_step_seconds": json.loads(runs["b"][-1][2].strip().splitlines()[-1])["steps"],
        "outputs_equal": exports_equal(export, root / "b.parquet", env),
    }
    result["ratio"] = round(result["a_seconds"] / result["b_seconds"], 2)
    result["floor_ratio"] = round(result["a_seconds"] / result["c_seconds"], 2)
    print(
        f"scale {fmt:>7} {rows:>11,}: pipeline {result['a_seconds']:6.1f} s "
        f"{result['a_peak_rss_mb']:5.0f} MB | same-output {result['b_seconds']:6.1f} s "
        f"{result['b_peak_rss_mb']:5.0f} MB | floor {result['c_seconds']:5.1f} s | "
        f"a/b {result['ratio']} | a/c {result['floor_ratio']} | equal {result['outputs_equal']}",
        flush=True,
    )
    shutil.rmtree(root)
    return result


def generate(folder: Path, rows: int, fmt: str, env: dict) -> Path:
    command = [PYTHON, "-m", "benchmarks.synthetic_source", "--rows", str(rows), "--out"]
    command += [str(folder), "--source-id", SOURCE_ID] + (["--csv"] if fmt == "csv" else [])
    return Path(measure(command, env)[2].strip().splitlines()[-1])


def exports_equal(pipeline_export: Path, reference_export: Path, env: dict) -> bool:
    command = [PYTHON, "-m", "benchmarks.reference", "compare", str(pipeline_export)]
    output = measure([*command, str(reference_export), SOURCE_ID], env)[2]
    return json.loads(output.strip().splitlines()[-1])["equal"]


def summary(figures: list[tuple[float, float, str]]) -> dict:
    walls = [round(f[0], 2) for f in figures]
    return {
        "seconds": round(statistics.median(walls), 2),
        "runs": walls,
        "peak_rss_mb": round(max(f[1] for f in figures)),
    }


def run_reference(root: Path, env: dict, which: str, data: Path | None = None):
    scratch = root / f"reference_{which}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    if which == "same-output":
        args = [str(root / "raw"), SOURCE_ID, str(root / "b.parquet"), str(scratch)]
    else:
        args = [str(data), str(scratch / "c.parquet"), str(scratch)]
    figures = measure([PYTHON, "-m", "benchmarks.reference", which, *args], env)
    shutil.rmtree(scratch)
    return figures


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
    }


def key_figures(results: dict) -> dict:
    """The keys `make bench` checks, from the largest default size of each format."""
    scale_rows = [s for s in results.get("scale", []) if s["rows"] in DEFAULT_SIZES]
    figures = {}
    by_format = {
        fmt: max((s for s in scale_rows if s["format"] == fmt), key=lambda s: s["rows"])
        for fmt in {s["format"] for s in scale_rows}
    }
    if "parquet" in by_format:
        largest = by_format["parquet"]
        figures |= {
            "scale_rows": largest["rows"],
            "scale_ratio": largest["ratio"],
            "floor_ratio": largest["floor_ratio"],
            "scale_peak_rss_mb": largest["a_peak_rss_mb"],
            "baseline_peak_rss_mb": largest["b_peak_rss_mb"],
        }
    if "csv" in by_format:
        figures["scale_ratio_csv"] = by_format["csv"]["ratio"]
        figures["floor_ratio_csv"] = by_format["csv"]["floor_ratio"]
    if scale_rows:
        figures["outputs_equal"] = all(s["outputs_equal"] for s in scale_rows)
    if "refresh" in results:
        figures["refresh_ratio"] = results["refresh"]["ratio"]
        figures["graph_overhead_ratio"] = results["refresh"]["graph_overhead_ratio"]
    if "incremental" in results:
        figures["add_small_source_ratio"] = results["incremental"]["add_small_source_ratio"]
    if "noop" in results:
        figures["noop_run_ratio"] = results["noop"]["ratio"]
        figures["noop_recomputed_assets"] = results["noop"]["noop_recomputed_assets"]
    return figures


def write_results(results: dict) -> dict:
    from benchmarks.render import performance_markdown

    extra = [s for s in results.get("scale", []) if s["rows"] not in DEFAULT_SIZES]
    if extra:  # a one-off size (BENCH_SIZES): kept apart, shown beside the default sizes
        once = json.loads(RECORDED_ONCE.read_text()) if RECORDED_ONCE.is_file() else []
        kept = [
            s
            for s in once
            if (s["format"], s["rows"]) not in {(e["format"], e["rows"]) for e in extra}
        ]
        RECORDED_ONCE.write_text(json.dumps(kept + extra, indent=2) + "\n", encoding="utf-8")
    if not any(s["rows"] in DEFAULT_SIZES for s in results.get("scale", [])) and RESULTS.is_file():
        previous = json.loads(RESULTS.read_text())  # a one-off run keeps the last full results,
        parts = ("refresh", "incremental", "noop")
        results = previous | {k: results[k] for k in parts if k in results}
    results |= key_figures(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    once = json.loads(RECORDED_ONCE.read_text()) if RECORDED_ONCE.is_file() else []
    (REPO_ROOT / "docs" / "performance.md").write_text(
        performance_markdown(results, once), encoding="utf-8"
    )
    return results


def main() -> None:
    if "--render" in sys.argv:  # rewrite docs/performance.md from the last results
        write_results(json.loads(RESULTS.read_text()))
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
