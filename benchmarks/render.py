"""docs/performance.md from benchmarks/results/latest.json (and recorded_once.json): every figure
with the command that produced it, the per-stage breakdown, the targets met and missed, and the
measurements that explain a missed one.

Belongs here: turning results into Markdown. Stays out: measuring (benchmarks/run.py).
"""

# ruff: noqa: S608 (no SQL here, prose that mentions SQL)
from __future__ import annotations

import statistics

from benchmarks.choices import CHOICES
from benchmarks.incremental import incremental_section
from benchmarks.render_scale import scale_section
from benchmarks.scale import KEYED_CASES, case_of

TARGETS = (
    ("scale_ratio", "pipeline / same-output DuckDB script, narrow, 12.5M rows, Parquet", "<=", 1.5),
    ("scale_ratio_csv", "the same, CSV input", "<=", 1.5),
    ("scale_ratio_wide", "the same, wide, 25M rows, Parquet", "<=", 1.5),
    ("outputs_equal", "the two exports are equal, every shape, size and format", "==", True),
    ("all_completed", "every shape at 25M rows, Parquet and CSV, completes", "==", True),
    (
        "peak_rss_mb_25m",
        "pipeline peak RSS, every shape at 25M rows, both releases (MB)",
        "<=",
        2048,
    ),
    ("scale_peak_rss_mb", "pipeline peak RSS, narrow, 12.5M rows, Parquet (MB)", "<=", 2048),
    ("refresh_ratio", "full refresh / one-trivial-asset floor, medians", "<=", 2.5),
    ("graph_overhead_ratio", "full refresh / the same graph with empty bodies", "<=", 1.3),
    ("noop_run_ratio", "`make run` with nothing changed / floor", "<=", 1.0),
    (
        "add_small_source_ratio",
        "adding a 10k-row source beside a 25M-row one / beside none",
        "<=",
        1.3,
    ),
    ("noop_recomputed_assets", "assets recomputed with nothing changed", "==", 0),
)
COMMAND = "make bench"  # = .venv/bin/python -m benchmarks.run


def met(value, op: str, limit) -> bool:
    return value == limit if op == "==" else value <= limit


def performance_markdown(r: dict, once: list[dict]) -> str:
    lines = [
        "# Performance",
        "",
        f"Measured by `{COMMAND}` (`python -m benchmarks.run`) on {r['machine']}, "
        f"{r['date']}. DuckDB memory limit chosen from the machine: {r['duckdb_memory_limit']} "
        "(pipeline and references alike). Downloads: "
        + "; ".join(f"{k} {v}" for k, v in sorted(r.get("downloads", {}).items()))
        + f". Commit: {r.get('commit', 'not recorded')}."
        + "".join(
            f" The {part} part is kept from the run of {date} (BENCH_PARTS left it out)."
            for part, date in (r.get("kept_from_earlier_runs") or {}).items()
        )
        + "".join(
            f" The scale case {case_of(s)[0]} {s['format']} {s['rows']:,} rows was measured at "
            f"commit {s['commit']} on {s['date']}."
            for s in r.get("scale", [])
            if s.get("commit") and s["commit"] != r.get("commit")
        )
        + " Raw numbers: `benchmarks/results/latest.json`. Load averages (1, 5, 15 min) are "
        "given for each part: another engineer's tests share this machine, so every figure is "
        "a median and a figure taken under load is slower than a quiet machine's.",
        "",
        *targets_section(r),
        *missed_section(r, once),
        *scale_section(r, once),
        *refresh_section(r),
        *incremental_section(r),
        *noop_section(r),
        *CHOICES,
    ]
    return "\n".join(lines) + "\n"


def targets_section(r: dict) -> list[str]:
    lines = ["## Targets", "", "| target | measured | goal | |", "|---|---:|---:|---|"]
    for key, label, op, limit in TARGETS:
        if key not in r:
            continue
        value = r[key]
        verdict = "met" if met(value, op, limit) else "**missed** (see below)"
        lines.append(f"| {label} (`{key}`) | {value} | {op} {limit} | {verdict} |")
    floors = (("floor_ratio", "Parquet"), ("floor_ratio_csv", "CSV"), ("floor_ratio_wide", "wide"))
    for key, label in floors:
        if key in r:
            lines.append(
                f"| pipeline / DuckDB's floor, {label} (`{key}`) | {r[key]} | reported | |"
            )
    return lines + [""]


def missed_section(r: dict, once: list[dict]) -> list[str]:
    """The measurements that explain each missed target."""
    lines = []
    refresh = r.get("refresh", {}).get("medians", {})
    fixed = refresh.get("full_refresh")
    for suffix, shape, fmt, rows in KEYED_CASES:
        key = f"scale_ratio{suffix}"
        if key not in r or r[key] <= 1.5 or fixed is None:
            continue
        largest = next(s for s in r["scale"] if case_of(s) == (shape, fmt, rows))
        a, b = largest["a_seconds"], largest["b_seconds"]
        own = round(a - fixed, 2)
        bigger = [o for o in once if case_of(o)[:2] == (shape, fmt) and o["rows"] > rows]
        empty = refresh.get("empty_graph_chosen")
        lines.append(
            f"- `{key}` {r[key]} ({shape}, {fmt}, {rows:,} rows). Of the pipeline's {a} s, "
            f"{fixed} s are the project's own refresh without the source (the median of part 2: "
            "every other source, mart and export, the report and the publish, through Dagster); "
            f"the source adds {own} s, where the same-output script takes {b} s for the same "
            f"work ({round(own / b, 2)} of it). A ratio of 1.5 would need the pipeline at "
            f"{round(1.5 * b, 2)} s, that is a fixed cost of at most {round(1.5 * b - own, 2)} s, "
            f"while Dagster alone, for this graph with empty bodies, takes {empty} s (part 2). "
            "The ratio falls as the source grows"
            + "".join(f": {o['ratio']} at {o['rows']:,} rows (recorded once)" for o in bigger[-1:])
            + "."
        )
    for s in r.get("scale", []):
        if not s.get("completed", True):
            lines.append(
                f"- {case_of(s)[0]}, {s['format']}, {s['rows']:,} rows did not complete; the "
                "pipeline's last lines: `"
                + (s.get("error") or "").strip()[-400:].replace("\n", " ")
                + "`"
            )
    if r.get("not_measured_25m"):
        lines.append(
            "- `all_completed` needs every shape at 25M rows as Parquet and CSV; not measured in "
            f"this run: {', '.join(r['not_measured_25m'])}."
        )
    lines += refresh_missed(r)
    return ["## Targets missed, and why", "", *lines, ""] if lines else []


ALTERNATIVES = {
    "chosen": "one step reporting events; checks evaluated inside it (the pipeline's cut)",
    "checks_planned": "the same, with the checks in the job's selection (planned events)",
    "outputs": "one step yielding outputs (`MaterializeResult`, `AssetCheckResult`)",
    "five_steps": "a step per stage yielding outputs (the previous cut)",
}


def refresh_section(r: dict) -> list[str]:
    f = r.get("refresh")
    if not f:
        return []
    m = f["medians"]
    stages = f["stage_seconds_of_each_run"]
    names = list(stages[0])
    median_stages = {n: round(statistics.median(s.get(n, 0) for s in stages), 2) for n in names}
    imports = round(m["project_imports"] - m["dagster_imports"], 2)
    empty = m["empty_graph_chosen"]
    work = round(m["full_refresh"] - empty, 2)
    return [
        "## Full refresh of the project",
        "",
        f"`python -m pipeline.cli refresh --force` on a copy of raw/ (no long source), median of "
        f"{len(f['runs']['full_refresh'])}: **{m['full_refresh']} s** (runs "
        f"{f['runs']['full_refresh']}). Dagster's floor, one trivial asset materialized with the "
        f"same instance set-up: **{m['floor']} s** (runs {f['runs']['floor']}). Ratio: "
        f"**{f['ratio']}**. Against the same graph with empty bodies: **"
        f"{f['graph_overhead_ratio']}**. All measured interleaved in one run; load average "
        f"{f['load_average'][0]} at the start, {f['load_average'][1]} at the end.",
        "",
        f"The project's graph ({graph_size(r)}) with empty bodies, each way of cutting it into "
        "steps and reporting it (`benchmarks/graphs.py`; docs/materialization.md says why the "
        "first was chosen):",
        "",
        "| cut | seconds | runs | / floor |",
        "|---|---:|---|---:|",
        *(
            f"| {label} | {m[f'empty_graph_{name}']} | {f['runs'][f'empty_graph_{name}']} | "
            f"{round(m[f'empty_graph_{name}'] / m['floor'], 2)} |"
            for name, label in ALTERNATIVES.items()
        ),
        "",
        "Where the seconds above the floor go (medians, each measured as its own process):",
        "",
        f"- The graph itself: {round(empty - m['floor'], 2)} s (the empty graph, as cut and "
        "reported by the pipeline, less the floor). Of that, the imports the project adds to "
        f"Dagster's ({imports} s: `python -c 'import dagster'` takes {m['dagster_imports']} s, "
        "with DuckDB, pandas, pandera, narwhals, pyarrow and the pipeline "
        f"{m['project_imports']} s) and "
        "the definitions (the graph from the SQL, the code versions); the rest is Dagster: every "
        "asset selected is planned before the run starts, then materialized, and every check "
        "evaluated, each an event written to the instance's SQLite event log (a synced commit "
        "each, on connections kept open: pipeline/instance_storage.py).",
        f"- The work itself, what remains: {work} s (the full refresh less the empty graph): "
        "every transcription read by the one "
        "reader and validated with its pandera schema inside DuckDB, the WJP and V-Dem tables "
        "loaded from their cached typed tables, the models built and the marts checked the "
        "same way, the exports written and "
        "read back, the report, the publish with its fsyncs, and the events' metadata (column "
        "schemas, previews, the report's Markdown). Per step, as the CLI prints it: "
        + ", ".join(f"{k} {v}" for k, v in median_stages.items())
        + ".",
        "",
    ]


def refresh_missed(r: dict) -> list[str]:
    f = r.get("refresh")
    if not f:
        return []
    m, lines = f["medians"], []
    empty, floor, full = m["empty_graph_chosen"], m["floor"], m["full_refresh"]
    if f["ratio"] > 2.5:
        lines.append(
            f"- `refresh_ratio` {f['ratio']}: the project's graph with empty bodies, cut and "
            f"reported as the pipeline does, already takes {empty} s, {f['empty_graph_ratio']} "
            f"times the floor, before any work: {graph_size(r)}, each asset with a planned and a "
            "materialization event and each check with an evaluation event, every one written "
            "to the SQLite event log (a run shard and the index, a synced commit each, on "
            "connections kept open). A ratio of 2.5 would need the full refresh at "
            f"{round(2.5 * floor, 2)} s, "
            f"{round(2.5 * floor - empty, 2)} s above the empty graph for all the work."
        )
    if f["graph_overhead_ratio"] > 1.3:
        lines.append(
            f"- `graph_overhead_ratio` {f['graph_overhead_ratio']}: the work takes "
            f"{round(full - empty, 2)} s above the empty graph; a ratio of 1.3 would need it "
            f"within {round(0.3 * empty, 2)} s. Where those seconds go is in part 2."
        )
    return lines


def graph_size(r: dict) -> str:
    g = r.get("noop", {}).get("sensor_unchanged", {}).get("graph")
    if not g:
        return "it"
    steps = "1 step" if g["steps"] == 1 else f"{g['steps']} steps"
    return f"{g['assets']} assets and {g['checks']} checks in {steps}"


def noop_section(r: dict) -> list[str]:
    n = r.get("noop")
    if not n:
        return []
    return [
        "## No-op refresh",
        "",
        f"With nothing changed, `python -m pipeline.cli refresh` (what `make run` runs) answers "
        f"from the release manifest (the plan's staleness, from the code and raw files on disk) "
        f"without importing Dagster or starting a run: median "
        f"**{n['cli_median']} s** (runs {n['cli_runs']}), **{n['ratio']}** of the floor. The "
        f"sensor requests nothing: **{n['noop_recomputed_assets']}** assets recomputed "
        f'("{n["sensor_unchanged"]["reason"]}"); after an origin record is edited it requests '
        f"a run of {n['sensor_after_an_origin_record_edit']['assets']} assets.",
        "",
    ]
