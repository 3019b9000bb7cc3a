"""Part 1 of `make bench` (benchmarks/run.py): the scale of long-format sources of every shape
(benchmarks/synthetic_source.py) through the pipeline, against the same-output DuckDB script and
DuckDB's floor (benchmarks/reference.py), and the figures the targets read from it.

Belongs here: running and summarizing the scale cases. Stays out: the other parts (run.py),
rendering (render_scale.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import statistics
from pathlib import Path

from benchmarks import synthetic_source
from benchmarks.processes import (
    PYTHON,
    commit,
    load,
    measure,
    new_project,
    refresh_command,
    stage_seconds,
)
from pipeline.transforms.files import sha256_file

DEFAULT_SIZES = (12_500_000, 25_000_000)
SHAPES = tuple(os.environ.get("BENCH_SHAPES", ",".join(synthetic_source.SHAPES)).split(","))
SIZES = tuple(int(n) for n in os.environ.get("BENCH_SIZES", "").split(",") if n) or DEFAULT_SIZES
FORMATS = tuple(os.environ.get("BENCH_FORMATS", "parquet,csv").split(","))
SCALE_REPEATS = int(os.environ.get("BENCH_SCALE_REPEATS", "3"))
# Some cases only: `shape:format:rows` patterns, `*` for any (`narrow:*:12500000,*:*:25000000`).
CASES = tuple(c.split(":") for c in os.environ.get("BENCH_CASES", "*:*:*").split(",") if c)
SOURCE_ID = "synthetic"


def scale(work: Path, cache: Path) -> list[dict]:
    results = []
    for shape in SHAPES:
        for fmt in FORMATS:
            for rows in SIZES:
                if chosen(shape, fmt, rows):
                    results.append(scale_one(work, cache, shape, fmt, rows))
    return results


def chosen(shape: str, fmt: str, rows: int) -> bool:
    """Whether BENCH_CASES names the case."""
    case = (shape, fmt, str(rows))
    return any(all(p in ("*", v) for p, v in zip(c, case, strict=True)) for c in CASES)


def scale_one(work: Path, cache: Path, shape: str, fmt: str, rows: int) -> dict:
    root, env = new_project(work, f"scale_{shape}_{fmt}_{rows}", cache)
    data = generate(root / "raw" / "indicators", shape, rows, fmt, env)
    ids = [d.stem for d in data]
    result = {
        "shape": shape,
        "format": fmt,
        "rows": rows,
        "sources": len(data),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "file_mb": round(sum(d.stat().st_size for d in data) / 2**20, 1),
    }
    runs = {"a": [], "b": [], "c": []}
    started_load = load()
    try:
        for _ in range(SCALE_REPEATS):
            shutil.rmtree(root / "warehouse", ignore_errors=True)
            runs["a"].append(measure(refresh_command(), env))
            runs["b"].append(run_reference(root, env, "same-output", ids))
            runs["c"].append(run_reference(root, env, "floor", [str(d) for d in data]))
        export = root / "warehouse" / "exports" / "indicators"  # a file per source
        first_bytes = folder_digest(export)
        second, second_rss, _ = measure(refresh_command(force=True), env)
    except RuntimeError as failed:  # the pipeline (or a reference) failed: said, and go on
        print(f"scale {shape} {fmt} {rows:,}: FAILED\n{str(failed)[-1500:]}", flush=True)
        shutil.rmtree(root)
        return result | {"completed": False, "error": str(failed)[-1500:], "outputs_equal": False}
    result |= {
        "completed": True,
        "load_average": [started_load, load()],
        **{f"{k}_{n}": v for k, figures in runs.items() for n, v in summary(figures).items()},
        "pipeline_stage_seconds": stage_seconds(runs["a"][-1][2]),
        "a_second_release_seconds": round(second, 2),
        "a_second_release_peak_rss_mb": round(second_rss),
        "export_bytes_identical_on_rerun": folder_digest(export) == first_bytes,
        "reference_step_seconds": json.loads(runs["b"][-1][2].strip().splitlines()[-1])["steps"],
        "outputs_equal": exports_equal(export / "*.parquet", root / "b.parquet", ids, env),
    }
    result["ratio"] = round(result["a_seconds"] / result["b_seconds"], 2)
    result["floor_ratio"] = round(result["a_seconds"] / result["c_seconds"], 2)
    print(
        f"scale {shape:>12} {fmt:>7} {rows:>11,}: pipeline {result['a_seconds']:6.1f} s "
        f"{result['a_peak_rss_mb']:5.0f} MB (2nd release {second_rss:5.0f} MB) | same-output "
        f"{result['b_seconds']:6.1f} s {result['b_peak_rss_mb']:5.0f} MB | floor "
        f"{result['c_seconds']:5.1f} s | a/b {result['ratio']} | a/c {result['floor_ratio']} | "
        f"equal {result['outputs_equal']}",
        flush=True,
    )
    shutil.rmtree(root)
    return result


def generate(folder: Path, shape: str, rows: int, fmt: str, env: dict) -> list[Path]:
    """The shape's data files, one per source."""
    command = [PYTHON, "-m", "benchmarks.synthetic_source", "--rows", str(rows), "--shape"]
    command += [shape, "--out", str(folder), "--source-id", SOURCE_ID]
    command += ["--csv"] if fmt == "csv" else []
    return [Path(line) for line in measure(command, env)[2].strip().splitlines()]


def folder_digest(folder: Path) -> list[tuple[str, str]]:
    """(name, sha256) of each Parquet file of a folder, by name."""
    return [(path.name, sha256_file(path)) for path in sorted(folder.glob("*.parquet"))]


def exports_equal(pipeline_export: Path, reference_export: Path, ids: list[str], env) -> bool:
    command = [PYTHON, "-m", "benchmarks.compare_exports", str(pipeline_export)]
    output = measure([*command, str(reference_export), ",".join(ids)], env)[2]
    return json.loads(output.strip().splitlines()[-1])["equal"]


def summary(figures: list[tuple[float, float, str]]) -> dict:
    walls = [round(f[0], 2) for f in figures]
    return {
        "seconds": round(statistics.median(walls), 2),
        "runs": walls,
        "peak_rss_mb": round(max(f[1] for f in figures)),
    }


def run_reference(root: Path, env: dict, which: str, inputs: list[str]):
    """(b) with the source ids, or (c) with the data files."""
    scratch = root / f"reference_{which}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir()
    if which == "same-output":
        args = [str(root / "raw"), ",".join(inputs), str(root / "b.parquet"), str(scratch)]
    else:
        args = [",".join(inputs), str(scratch / "c.parquet"), str(scratch)]
    figures = measure([PYTHON, "-m", "benchmarks.reference", which, *args], env)
    shutil.rmtree(scratch)
    return figures


# (key, shape, format, rows) of the scale figures the targets read.
KEYED_CASES = (
    ("", "narrow", "parquet", 12_500_000),
    ("_csv", "narrow", "csv", 12_500_000),
    ("_wide", "wide", "parquet", 25_000_000),
)


def case_of(s: dict) -> tuple[str, str, int]:
    return s.get("shape", "narrow"), s["format"], s["rows"]


def scale_figures(results: dict) -> dict:
    """The scale keys `make bench` checks (KEYED_CASES; every shape at the largest size)."""
    scale_rows = [s for s in results.get("scale", []) if s["rows"] in DEFAULT_SIZES]
    cases = {case_of(s): s for s in scale_rows}
    figures = {}
    for suffix, *case in KEYED_CASES:
        found = cases.get(tuple(case))
        if found and found.get("completed", True):
            figures[f"scale_ratio{suffix}"] = found["ratio"]
            figures[f"floor_ratio{suffix}"] = found["floor_ratio"]
    narrow = cases.get(("narrow", "parquet", 12_500_000))
    if narrow and narrow.get("completed", True):
        figures |= {
            "scale_rows": narrow["rows"],
            "scale_peak_rss_mb": narrow["a_peak_rss_mb"],
            "baseline_peak_rss_mb": narrow["b_peak_rss_mb"],
        }
    largest = [s for s in scale_rows if s["rows"] == max(DEFAULT_SIZES)]
    if largest:
        expected = {(shape, fmt) for shape in synthetic_source.SHAPES for fmt in ("parquet", "csv")}
        missing = sorted(expected - {case_of(s)[:2] for s in largest})
        figures["not_measured_25m"] = [f"{shape} {fmt}" for shape, fmt in missing]
        figures["all_completed"] = not missing and all(s.get("completed", True) for s in largest)
        done = [s for s in largest if s.get("completed", True)]
        figures["peak_rss_mb_25m"] = max(
            (max(s["a_peak_rss_mb"], s.get("a_second_release_peak_rss_mb", 0)) for s in done),
            default=None,
        )
    if scale_rows:
        figures["outputs_equal"] = all(s["outputs_equal"] for s in scale_rows)
    return figures
