"""Step 3 of the one reader (reader.py): a file's column names against the spec. Required
columns present, no others, in the spec's order, each once.

When one cause explains the failure, it is named in one line instead of a column-by-column list
of "missing" and "unexpected" columns:

- names that differ from the spec's only in case (`COUNTRY_ISO3` for `country_iso3`): "header
  differs from the spec only in case: COUNTRY_ISO3 → country_iso3";
- a CSV delimited by another character than the comma (semicolon, tab, pipe): "the file looks
  semicolon-delimited; this project reads comma-separated CSV (RFC 4180)".

Belongs here: checking names. Stays out: reading bytes (csv_bytes.py) and cells (reader.py,
cell_types.py).
"""

from __future__ import annotations

import csv

from pipeline.schemas.spec import TableSpec
from pipeline.transforms.sources.read_result import Read

DELIMITERS = {";": "semicolon", "\t": "tab", "|": "pipe"}
COMMA_CSV = "comma-separated CSV (RFC 4180)"
SPEC_CASE = "column names are written as in the spec"
SHOWN_PAIRS = 3  # renamed columns listed in the one line; the rest are counted


def header_columns(header: bytes, spec: TableSpec, optional, read: Read, aliases) -> list[str]:
    """The names of a CSV's header line (line 1), checked against the spec."""
    text = header.decode("utf-8")
    try:
        names = next(csv.reader([text], strict=True))
    except (csv.Error, StopIteration) as err:
        names, error = [], str(err)
    else:
        names, error = [aliases.get(name, name) for name in names], None
    if set(names) != set(spec.column_names) and (delimiter := other_delimiter(text)):
        kind = DELIMITERS[delimiter]
        cause = f"the file looks {kind}-delimited; this project reads {COMMA_CSV}"
        read.problem(COMMA_CSV, f"{kind}-delimited", line=1, cause=cause)
        return []
    if error is not None:
        read.problem("file has a well-formed header row", error, line=1)
        return []
    check_columns(names, spec, optional, read)
    return names


def other_delimiter(text: str) -> str | None:
    """The delimiter a header line seems to use when it is not the comma: the candidate found
    more often than commas, if any."""
    found = max(DELIMITERS, key=text.count)
    return found if text.count(found) > text.count(",") else None


def check_columns(names: list[str], spec: TableSpec, optional, read: Read) -> None:
    """Required columns present, no others, in the spec's order, each once (a CSV's header is
    line 1; a Parquet file's names have no line). Names that differ from the spec's only in case
    are one problem, and then checked as the spec writes them."""
    expected, header = spec.column_names, 1 if read.unit == "line" else None
    names = _recased(names, expected, read, header)
    before = len(read.problems)
    for name in expected:
        if name not in names and name not in optional:
            read.problem("column required by the spec is present", line=header, column=name)
    for name in names:
        if name not in expected:
            rule = "column is in the spec (unexpected or renamed column)"
            read.problem(rule, line=header, column=name)
    if len(read.problems) == before and names != [n for n in expected if n in names]:
        read.problem("columns are in the spec's order", ", ".join(names), line=header)
    if len(set(names)) != len(names):
        read.problem("column names are unique", ", ".join(names), line=header)


def _recased(names: list[str], expected: list[str], read: Read, header) -> list[str]:
    """`names` with each name that is the spec's in another case written as the spec's (one
    problem lists them); a name whose spec spelling is also present stays as it is."""
    by_folded = {name.casefold(): name for name in expected}
    recased = {
        name: by_folded[name.casefold()]
        for name in names
        if name not in expected
        and name.casefold() in by_folded
        and by_folded[name.casefold()] not in names
    }
    if not recased:
        return names
    pairs = [f"{name} → {spec_name}" for name, spec_name in recased.items()]
    shown = ", ".join(pairs[:SHOWN_PAIRS])
    if len(pairs) > SHOWN_PAIRS:
        shown += f" and {len(pairs) - SHOWN_PAIRS} more"
    where = "header differs" if header else "column names differ"
    cause = f"{where} from the spec only in case: {shown}"
    read.problem(SPEC_CASE, ", ".join(pairs), line=header, cause=cause)
    return [recased.get(name, name) for name in names]
