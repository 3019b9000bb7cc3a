"""Table specs: the one definition of each table's columns (pandera, DuckDB, Parquet)."""
