"""The shape of a long-format indicator source that a user drops into raw/indicators/:
country x year x indicator x value, with an optional rank, as CSV or Parquet, with an origin
record `<source_id>.meta.yml` beside it.

Belongs here: the columns and rules of such a source. Stays out: reading and validating files
(transforms/sources/indicator_sources.py) and the origin record (schemas/origin.py).
"""

from __future__ import annotations

from pipeline.schemas import row_rules as rr
from pipeline.schemas import rules as r
from pipeline.schemas.fields import INDICATOR_CODE, shared
from pipeline.schemas.spec import FLOAT, STRING, Field, TableSpec

OPTIONAL_COLUMNS = ("rank", "n_ranked")  # a source without ranks may leave these out
DATA_FORMATS = (".csv", ".parquet")
# The asset raw_indicators__values gathers every added source: no source may take this id.
GATHERED = "values"

LONG_SOURCE = TableSpec(
    name="indicator_source",
    description="One long-format indicator source: one row per country x year x indicator.",
    fields=(
        shared(
            "country_iso3",
            description="ISO 3166-1 alpha-3, XKX for Kosovo, or a code the origin record "
            "declares under country_codes.",
        ),
        shared("year"),
        Field(
            "indicator_code",
            STRING,
            "Indicator, as declared in the origin record.",
            rules=(r.pattern(INDICATOR_CODE, "an indicator code"),),
        ),
        Field("value", FLOAT, "The indicator's value for that country and year."),
        shared("rank", description="Rank, where the source gives one (1 = best)."),
        shared("n_ranked", description="Countries ranked, where the source gives it."),
    ),
    primary_key=("country_iso3", "year", "indicator_code"),
    row_rules=(rr.ordered("rank", "n_ranked"),),
)
