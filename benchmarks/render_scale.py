"""The scale part of docs/performance.md (benchmarks/render.py): per shape, a table of every
size and format through the pipeline, the same-output script and the floor; the growth in
seconds per million rows; each stage's seconds and seconds per million rows; failures said as
they were recorded.

Belongs here: turning the scale results into Markdown. Stays out: measuring (scale.py).
"""

# ruff: noqa: S608 (no SQL here, prose that mentions SQL)
from __future__ import annotations

from benchmarks.synthetic_source import SHAPES, layout

COMMAND = "make bench"
LAYOUT_WORDS = {
    "narrow": "the first bench's source: 200 countries x 125 years x rows / 25,000 indicators",
    "wide": "at least 1,000 indicators over at most 250 countries x 100 years",
    "long": "10 indicators x 200 years over rows / 2,000 sub-national units, each declared in the "
    "origin record as the source's own code (`country_codes`, status source_specific, `maps_to` "
    "its country): the source spec has no unit column, so a unit is a declared three-letter code",
    "many_sources": "sources of 250,000 rows each (200 countries x 125 years x 10 indicators)",
}


def shape_of(s: dict) -> str:
    return s.get("shape", "narrow")


def scale_section(r: dict, once: list[dict]) -> list[str]:
    rows = r.get("scale", [])
    if not rows:
        return []
    counts = sorted({len(s["a_runs"]) for s in rows if "a_runs" in s} or {1})
    repeats = counts[0] if len(counts) == 1 else f"{counts[0]} to {counts[-1]}"  # per case
    lines = [
        "## Scale: long-format sources of every shape through the pipeline and through DuckDB "
        "alone",
        "",
        "Seeded synthetic sources (`benchmarks/synthetic_source.py`) in raw/indicators/. (a) "
        "`python -m pipeline.cli refresh`: every asset through Dagster, a first release into an "
        "empty warehouse. (b) `python -m benchmarks.reference same-output`: a hand-written "
        "DuckDB script with the same checks (the records' sha256, the CSV byte checks and "
        "per-cell type rules, the sources' and marts.indicators' rules and keys: the same "
        "pandera schemas, run in DuckDB by the same runner), the same marts.indicators rows "
        "with every column, and the same export "
        "of them (same columns, types, row order, zstd, row groups); it has no framework and no "
        "other source. (c) `python -m benchmarks.reference floor`: one `COPY (SELECT * FROM "
        "read_parquet|read_csv(...)) TO ... (FORMAT parquet, COMPRESSION zstd)`. Wall time and "
        f"peak RSS of each process; median of {repeats} runs each. Equal: the sources' rows of "
        "(a)'s export and (b)'s export compared column by column in file order. 2nd release: "
        "one more forced refresh of (a) on top of its first release, which also compares every "
        "mart with the previous release's export by key (marts.release_changes); its export's "
        "bytes are compared with the first release's (identical unless the table says "
        "otherwise).",
        "",
    ]
    if once:
        lines += [
            "Rows marked * were recorded once, with `BENCH_SIZES=... BENCH_SHAPES=... "
            f"BENCH_PARTS=scale {COMMAND}`; they are kept in "
            "`benchmarks/results/recorded_once.json`.",
            "",
        ]
    found = {shape_of(s) for s in rows + once}
    for shape in [s for s in SHAPES if s in found] + sorted(found - set(SHAPES)):
        mine = [s for s in rows if shape_of(s) == shape]
        cases = {(s["format"], s["rows"]) for s in mine}
        extra = [
            dict(o, once=True)
            for o in once
            if shape_of(o) == shape and (o["format"], o["rows"]) not in cases
        ]
        lines += shape_lines(shape, mine, extra)
    return lines


def shape_lines(shape: str, rows: list[dict], once: list[dict]) -> list[str]:
    largest = max(s["rows"] for s in rows + once)
    try:
        sizes = layout(shape, largest)
        at = (
            f"at {largest:,} rows: {sizes.sources} source(s) of {sizes.countries} countries"
            f"{f' and {sizes.units:,} units' if sizes.units else ''} x {sizes.years} years x "
            f"{sizes.indicators:,} indicators"
        )
    except (KeyError, ValueError):
        at = ""
    lines = [
        f"### {shape}",
        "",
        f"{LAYOUT_WORDS.get(shape, shape)}{f'; {at}' if at else ''}.",
        "",
        "| format | rows | file MB | (a) s | (a) MB | (b) s | (b) MB | (c) s | (c) MB | a/b "
        "| a/c | equal | (a) 2nd release s, MB | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---|",
    ]
    ordered = sorted(rows + once, key=lambda s: (s["format"] != "parquet", s["rows"]))
    lines += [scale_line(s) for s in ordered] + [""]
    done = [s for s in rows + once if s.get("completed", True)]
    return lines + growth_lines(done) + stage_lines(done)


def scale_line(s: dict) -> str:
    rows = f"{s['rows']:,}" + (" *" if s.get("once") else "")
    if not s.get("completed", True):
        error = (s.get("error") or "").strip().splitlines()
        said = next((e for e in reversed(error) if "FAILED" in e or "Error" in e), "")[:200]
        return f"| {s['format']} | {rows} | {s.get('file_mb', '')} | **failed**: {said} |"
    cells = [
        s["format"],
        rows,
        s["file_mb"],
        s["a_seconds"],
        s["a_peak_rss_mb"],
        s["b_seconds"],
        s["b_peak_rss_mb"],
        s["c_seconds"],
        s["c_peak_rss_mb"],
        s["ratio"],
        s["floor_ratio"],
        "yes" if s["outputs_equal"] else "**no**",
        f"{s.get('a_second_release_seconds', '')}, {s.get('a_second_release_peak_rss_mb', '')}"
        + ("" if s.get("export_bytes_identical_on_rerun", True) else " (**export bytes differ**)"),
        " ".join(str(x) for x in s["load_average"][0]),
    ]
    return "| " + " | ".join(str(c) for c in cells) + " |"


def counts(sizes: list[dict]) -> str:
    return ", ".join(f"{s['rows']:,}" for s in sizes)


def per_million(x: dict, y: dict, seconds_x: float, seconds_y: float) -> float:
    return (seconds_y - seconds_x) / ((y["rows"] - x["rows"]) / 1e6)


def growth_lines(rows: list[dict]) -> list[str]:
    lines = []
    for fmt in sorted({s["format"] for s in rows}):
        sizes = sorted((s for s in rows if s["format"] == fmt), key=lambda s: s["rows"])
        if len(sizes) < 2:
            continue
        for who, name in (("a", "pipeline"), ("b", "same-output script")):
            steps = [
                per_million(x, y, x[f"{who}_seconds"], y[f"{who}_seconds"])
                for x, y in zip(sizes, sizes[1:], strict=False)
            ]
            lines.append(
                f"- {fmt}, {name}: {', '.join(f'{x:.2f}' for x in steps)} s per million rows "
                f"between consecutive sizes ({counts(sizes)})."
            )
    return ["Growth:", "", *lines, ""] if lines else []


def stage_lines(rows: list[dict]) -> list[str]:
    """Each stage's seconds at each size, seconds per million rows at the largest, and the
    growth between the two largest sizes."""
    lines = []
    for fmt in sorted({s["format"] for s in rows}):
        sizes = sorted((s for s in rows if s["format"] == fmt), key=lambda s: s["rows"])
        largest = sizes[-1]
        for who, key, what in (
            ("a", "pipeline_stage_seconds", "pipeline stages as the CLI prints them"),
            ("b", "reference_step_seconds", "same-output script steps"),
        ):
            parts = []
            for stage, seconds in largest.get(key, {}).items():
                at = " / ".join(str(s.get(key, {}).get(stage, "-")) for s in sizes)
                rate = seconds / (largest["rows"] / 1e6)
                grow = ""
                if len(sizes) > 1 and stage in sizes[-2].get(key, {}):
                    grow = (
                        f", {per_million(sizes[-2], largest, sizes[-2][key][stage], seconds):+.2f}"
                    )
                parts.append(f"{stage} {at} s ({rate:.2f}{grow} s per million)")
            total = sum(largest.get(key, {}).values())
            lines.append(
                f"- {fmt}, {what} at {counts(sizes)} rows: "
                + "; ".join(parts)
                + f" (sum {total:.2f} of {largest[f'{who}_seconds']} s at the largest; the rest "
                "is Python, imports" + (", Dagster's run and step set-up)." if who == "a" else ").")
            )
    head = (
        "Per stage (seconds at each size; in brackets, seconds per million rows at the largest "
        "size and, signed, the growth in seconds per million rows between the two largest):"
    )
    return [head, "", *lines, ""] if lines else []
