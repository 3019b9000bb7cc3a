"""The shape of a long-format indicator source that a user drops into raw/indicators/:
country x year x indicator x value, with an optional rank, as CSV or Parquet, with an origin
record `<source_id>.meta.yml` beside it.

Belongs here: the columns and rules of such a source and of its origin record. Stays out:
reading and validating files (transforms/indicator_sources.py).
"""

from __future__ import annotations

from pipeline.schemas import checks as c
from pipeline.schemas.raw import RANK_WITHIN_N_SQL
from pipeline.schemas.spec import FLOAT, INT, STRING, Field, RowRule, TableSpec

SOURCE_ID = r"[a-z][a-z0-9_]{0,62}"
INDICATOR_CODE = r"[a-z][a-z0-9_.]{0,62}"
OPTIONAL_COLUMNS = ("rank", "n_ranked")  # a source without ranks may leave these out
# Extra fields an indicator source's origin record must have, on top of every raw file's.
SOURCE_ORIGIN_FIELDS = ("source_id", "file", "indicators")
DATA_FORMATS = {".csv": "csv", ".parquet": "parquet"}

LONG_SOURCE = TableSpec(
    name="indicator_source",
    description="One long-format indicator source: one row per country x year x indicator.",
    fields=(
        Field(
            "country_iso3",
            STRING,
            "ISO 3166-1 alpha-3 (or XKX for Kosovo).",
            checks=(c.pattern(r"[A-Z]{3}", "three capital letters"),),
        ),
        Field("year", INT, "Year the value describes.", checks=(c.year_between(1789, 2100),)),
        Field(
            "indicator_code",
            STRING,
            "Indicator, as declared in the origin record.",
            checks=(c.pattern(INDICATOR_CODE, "an indicator code"),),
        ),
        Field("value", FLOAT, "The indicator's value for that country and year."),
        Field(
            "rank", INT, "Rank, where the source gives one (1 = best).", True, (c.positive_int(),)
        ),
        Field(
            "n_ranked",
            INT,
            "Countries ranked, where the source gives it.",
            True,
            (c.positive_int(),),
        ),
    ),  # fmt: skip
    primary_key=("country_iso3", "year", "indicator_code"),
    row_rules=(
        RowRule(
            "rank <= n_ranked",
            "rank",
            lambda df: df["rank"].isna() | df["n_ranked"].isna() | (df["rank"] <= df["n_ranked"]),
            RANK_WITHIN_N_SQL,
        ),
    ),
)
