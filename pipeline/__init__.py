"""Human-rights indicators for Central Asia and the EU: a Dagster pipeline from the paper's
transcribed tables to a DuckDB warehouse, Parquet exports and a summary report."""
