"""Pure functions and SQL runners with no Dagster import: what the unit tests call.

One folder per stage, in the order the data flows; a stage imports the stages before it and the
shared base, never one after it, and nothing here imports the asset graph or Dagster:

- the shared base, here: problems.py (the Problem record), outcome.py (what a step did),
  duck.py (DuckDB runners), files.py (bounded reads, checksums), key_ranges.py (a mart cut by
  its key), validation.py (a table's pandera schema run inside DuckDB);
- sources/: raw/ and the pinned downloads read and checked into the `raw` schema;
- models/: the SQL models discovered, built in order, and the marts checked;
- publish/: the exports, their Data Package, the data dictionary, the release's records;
- report/: the summary report, its charts and the README's figures about the paper.
"""
