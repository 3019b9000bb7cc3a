"""Read V-Dem's ERT file (ert.csv) with the one reader and validate it against its spec, as
the download's `parse` step: a file that does not have the expected shape is not accepted (and
never enters the download cache). The country codes it uses are checked once loaded, against
ISO 3166-1, the project's countries and the codes its origin record declares.

Belongs here: the file's dialect (R's unnamed row-number column, 'NA' for missing) and its
validation. No Dagster.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from pipeline.schemas.spec import qualified
from pipeline.schemas.vdem import DECLARED_CODES, VDEM_ERT
from pipeline.transforms.duck import frame_of
from pipeline.transforms.problems import Problem
from pipeline.transforms.sources.downloads import SourceUnavailable
from pipeline.transforms.sources.origins import LoadedRecord
from pipeline.transforms.sources.reader import read_table
from pipeline.transforms.validation import validate_relation

if TYPE_CHECKING:
    import pandas as pd

MAX_LISTED = 5
HEADER_ALIASES = {"": "row_index"}  # R writes its row names as an unnamed first column


def read_ert(path: Path) -> dict[str, pd.DataFrame]:
    """The verified ert.csv, read and validated: {table name: frame}."""
    con = duckdb.connect()
    target = qualified("main", VDEM_ERT.name)
    read = read_table(
        con,
        path,
        path.parent,
        VDEM_ERT,
        target,
        max_bytes=path.stat().st_size,
        label="ert.csv",
        header_aliases=HEADER_ALIASES,
        null_text=("NA",),
    )
    problems = read.problems
    if not problems:
        problems = validate_relation(con, VDEM_ERT, target, "ert.csv", line="line")
    if problems:
        listed = "; ".join(p.message() for p in problems[:MAX_LISTED])
        more = f" (and {len(problems) - MAX_LISTED} more)" if len(problems) > MAX_LISTED else ""
        raise SourceUnavailable(f"ert.csv does not have the expected shape: {listed}{more}")
    frame = frame_of(con, target, order="line")
    return {VDEM_ERT.name: frame.drop(columns=["line"])}


def declared_codes(record: LoadedRecord) -> pd.DataFrame:
    """The non-ISO codes the origin record declares, as a table."""
    import pandas as pd

    codes = (record.record.country_codes if record.record else None) or {}
    rows = [
        (code, entry.name, entry.status, entry.maps_to, entry.note)
        for code, entry in sorted(codes.items())
    ]
    return pd.DataFrame(rows, columns=DECLARED_CODES.column_names)


CODE_LISTS = ("iso3166_countries", "countries", "vdem_country_codes")  # raw tables, in order


def unknown_codes(con: duckdb.DuckDBPyConnection, record: LoadedRecord) -> list[Problem]:
    """Codes of the loaded file that nobody declares, once each with its rows and years. When a
    list of codes was refused (it is not in the build), the codes cannot be checked: said once,
    naming the list, instead of failing on the missing table."""
    loaded = {
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw'"
        ).fetchall()
    }
    missing = [name for name in CODE_LISTS if name not in loaded]
    if missing:
        return [
            Problem(
                record.shown,
                None,
                "country_codes",
                "every code of the file is ISO 3166-1, the project's, or declared in the record",
                f"not checked: raw.{', raw.'.join(missing)} is not in the build (refused above)",
                fix="correct the refused table first; the codes are checked once it loads",
            )
        ]
    rows = con.execute(
        "SELECT country_text_id, any_value(country_name), count(*), min(year), max(year) "
        "FROM raw.vdem_ert WHERE country_text_id NOT IN (SELECT country_iso3 FROM "
        "raw.iso3166_countries UNION SELECT country_iso3 FROM raw.countries UNION "
        "SELECT code FROM raw.vdem_country_codes) GROUP BY 1 ORDER BY 1"
    ).fetchall()
    return [
        Problem(
            record.shown,
            None,
            "country_codes",
            "every code of the file is ISO 3166-1, the project's, or declared in the record",
            f"{code} ({name}): {n} rows, years {first}-{last}",
            fix=f"declare {code} under country_codes in {record.shown}, with its name and status",
        )
        for code, name, n, first, last in rows
    ]
