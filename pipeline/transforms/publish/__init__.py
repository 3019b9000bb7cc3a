"""Stage 3, publishing: what leaves the warehouse (the Parquet exports, their Data Package, the
data dictionary) and what a release holds (its manifest's records and the release guard).
Imports earlier stages (sources/, models/) and the shared base, never the report.
"""
