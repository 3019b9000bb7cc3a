"""The "Choices" section of docs/performance.md: one-off measurements taken while the data path
and the rule engine were chosen, with what they decided. Static text, not rerun by `make bench`.

Belongs here: that text. Stays out: the figures `make bench` measures (render.py, render_scale.py).
"""

# How the pandera schemas run (2026-12-06, pandera 0.35.0, ibis-framework 12.0.0, narwhals 2.29.0;
# /tmp scripts, not kept: they ran the SQL compiler this choice removed). The machine was shared
# with four other sessions' tests and benchmarks (load averages 6 to 20): CPU seconds of each
# process (user + sys, median of 3) are steadier than wall times, which are given at the lowest
# load seen.
RULE_ENGINE = [
    "- The rule engine (pandera 0.35.0; ibis-framework 12.0.0 and narwhals 2.29.0 installed to "
    "measure; load averages 6 to 20, so CPU seconds of each process, user + sys, median of "
    "3, with wall times at the lowest load). Each table's rules are a pandera schema whose "
    "checks are pandera's built-ins (`isin`, `in_range`, `ge`, `le`, `str_matches`, "
    "`str_length`) or narwhals expressions. Validating the 12.5M-row typed source (11 checks "
    "and its key): the SQL compiler this replaced 7.4 s CPU (wall 3.9 to 5.1 s at load 6); "
    "`schema.validate` with pandera's Ibis backend on a DuckDB-backed Ibis table 16.0 s "
    "(wall 17.0 to 19.1 s; its key check, a window count over the whole table, 15.2 s of "
    "it); with its Narwhals backend over the same table 9.7 s (wall 11.6 to 12.6 s); the "
    "kept runner 8.7 s. marts.indicators over that source (a view, 40 checks and its key): "
    "SQL 12.5 s CPU (wall 16.5 s at load 7), Ibis 34.5 s (72.6 s), Narwhals 27.6 s (44.9 s), "
    "runner 13.4 s. The 18 committed transcriptions (477 checks), first pass and later "
    "passes: SQL 0.36 and 0.27 s CPU, pandera on pandas frames (what they used) 1.56 and "
    "0.47 s, runner 2.03 and 0.80 s, Ibis 8.24 and 6.71 s, Narwhals 9.97 and 7.90 s. Both "
    "lazy backends run one query per check, 14 to 17 ms each on a small table, and scan the "
    "whole table once per check; importing ibis with its DuckDB backend adds 1.1 s of CPU to "
    "a process, narwhals 0.1 s. So `validate` is not used: the kept runner "
    "(pipeline/transforms/validation.py) takes each check's narwhals expression, pandera's own "
    "for a built-in, and DuckDB counts every check's failures in one aggregate; only a "
    "failing check is scanned again, for its rows and their `line`. pandera's Ibis and "
    "Narwhals backends would have kept `scale_ratio` (the same-output script must run the "
    "same schema, so both sides pay the same seconds) while making the 12.5M-row refresh and "
    "the small one several times slower in validation.",
    "- pandera's `isin` with the 500 indicators an origin record declares is "
    "`contains([...], indicator_code)`, a list tested row by row: 108 to 156 s at 12.5M rows "
    "(load 10); `indicator_code IN (SELECT unnest(...))`, a join, 0.6 s. The declared "
    "indicators stay a join, beside the source's schema; small vocabularies (3 to 17 values) "
    "cost the same either way (0.8 to 4.2 s for both).",
]

# One-off measurements taken while the data path was chosen (2026-12-01, this machine, DuckDB
# 2.0.1, the 12.5M-row synthetic source unless said otherwise, another engineer's tests often
# running: load averages 1.5 to 4). Not rerun by `make bench`; the SQL is given for each.
CHOICES = [
    "## Choices, and the measurements behind them",
    "",
    "One-off measurements taken while the data path was chosen (same machine, DuckDB 2.0.1, the "
    "12.5M-row source unless said otherwise, often under another engineer's load, so "
    "indicative; `make bench` does not rerun them):",
    "",
    "- Declared indicators: `count_if(NOT (indicator_code IN (<500 literals>)))` over the typed "
    "table took 3.99 s; `indicator_code IN (SELECT unnest([<the same 500>]))`, which DuckDB "
    "joins, 0.03 s.",
    "- A CSV read with its lines: `CREATE TABLE ... AS SELECT row_number() OVER () + 1 AS line, "
    "...` runs on one thread, 3.9 s; the same typed, flagged `CREATE TEMP TABLE` without it "
    "runs on both cores, 1.3 s, then `CREATE TABLE ... AS SELECT *, rowid + 2 AS line` 1.0 s "
    "(a table keeps the file's order).",
    "- DuckDB's typed CSV read cannot be the type check: with `columns={'x': 'INTEGER'}` it "
    "reads 2022.5 as 2023, and accepts 1e3, 0x10, 1_000 and ' 5'; as DOUBLE it accepts inf and "
    "nan. So the fast path reads text and types it by the project's rules in the same CREATE "
    "TABLE AS, with a flag column; the flagged file is read again to name line, column, value.",
    "- marts.indicators as a table: `CREATE TABLE` of the source's 24-column mart rows took "
    "10.5 s; as a view it costs nothing to build and `count(*)` through it 0.1 s.",
    "- The export: writing the 24 columns sorted by the key (`COPY (... ORDER BY ...)`) took "
    "18.7 s, unsorted 8.4 s. One `COPY` of a UNION ALL of parts did not keep the parts' order "
    "(the paper's rows landed at row 12,017,664), so the parts are streamed from DuckDB into one "
    "pyarrow writer, in order: 5.1 s (2.3 s fetching, 2.7 s writing). Checking the order "
    "before writing with `lag() OVER ()` over the view held 1.3 GB and took 2.5 s; reading the "
    "written file's key columns back takes 0.37 s.",
    "- The key check at 50M rows under the 1.4 GB limit: one grouping over the whole union "
    "view ran out of memory; grouped per large value of the key's first column it passed in "
    "21 s (spilling); finding rows whose keys hash alike first, then grouping those, 6 s.",
    "- Adding a source, before a refresh reused anything (DuckDB 2.0.1, a 2.5M-row wide source, "
    "load 5 to 6): 39.9 s beside it against 29.2 s beside none, a ratio of 1.37 at a tenth of the "
    "size: the large source was read again (raw 6.5 s against 1.6 s), its rows checked and "
    "grouped (models 12.4 s against 3.1 s) and written (exports 5.3 s against 1.3 s).",
    "- What reads every row of marts.indicators, on the 25M-row wide warehouse (load 14 to 18, "
    "so slow): `count(*)` through the mart's view 3.3 s and through the staging view 3.3 s (the "
    "joins naming countries and indicators: the row counts shown in the UI); marts.coverage's "
    "grouping 10.0 s; the rows per source of every other source 0.06 s. So a reused part's rows "
    "are counted as the release counted them, and marts.coverage keeps its rows of reused parts "
    "and groups the others.",
    "- One file per source, not one file: a Parquet file cannot take row groups from another "
    "without decoding them (pyarrow writes row groups from Arrow tables), and a large source's "
    "rows sit in the middle of the key order; writing its 25M rows again is the export's whole "
    "cost. A data package resource of several Parquet files (`path` a list) is read by "
    "frictionless 5.21 from its first file only (48 of the mart's rows), so each file is a "
    "resource of its own (`indicators-<source_id>`).",
    "- Shapes (2026-12-06, DuckDB 2.0.1, a wide source of 249 countries x 125 years x 600 "
    "indicators, 18.7M rows, one process per figure, under load): one `ORDER BY` of the key "
    "over marts.indicators, even of its five key columns alone, ran out of the 1.4 GB limit "
    "(`could not allocate block of size 256.0 KiB (1.3 GiB/1.3 GiB used)`, what a user saw in "
    "the exports step when the file was not in key order); with DuckDB's "
    "compressed_materialization optimizer disabled the same sort passed, and so did a sort of "
    "one source's rows. So the export never sorts the whole mart: key ranges of at most 1M "
    "rows, each sorted (transforms/key_ranges.py). The comparison with the previous release as "
    "one FULL OUTER JOIN took 49.7 s at 1,501 MB RSS; range by range (2M rows each) 22.2 s at "
    "434 MB. The export's Arrow row groups: writing the mart with 1M-row groups peaked at "
    "1,043 MB RSS, with 250k-row groups at 585 MB (1M kept: the bytes stay those of earlier "
    "releases). A long source's 12,500 declared codes checked with `list_contains(?, code)` "
    "took 245 s for 2M rows; `code IN (SELECT unnest(?))`, a join, 0.5 s.",
    *RULE_ENGINE,
    "",
]
