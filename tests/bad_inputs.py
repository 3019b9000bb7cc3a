"""A corpus of bad (and legitimately odd) raw inputs, as data.

Each `Case` names the raw table it breaks (the file is `raw/<folder>/<table>.csv`, or the origin
record `.meta.yml` beside it when `target == "origin"`), a mutation (a `Replace`, a `SetCell`
or a small function from the file's bytes to new bytes; for `target == "fs"`, a function of the
raw folder that changes the file system: symlinks, huge or unknown files), whether the CSV's
sha256 is re-recorded in its origin record afterwards (`rechecksum`; True lets the case reach
the rule it targets instead of stopping at the checksum rule), and what must happen:

- `Rejected`: the refresh fails on blocking checks; `message` is a regex (re.MULTILINE) that one
  line of the failing checks' messages must match, naming the file, the line (header = line 1)
  and the column where they apply, and the rule; `failing` lists every (asset, check) that must
  fail, and no other check may fail.
- `AcceptedVerbatim`: a legitimate value (quotes, HTML, SQL quote characters in free text). The
  refresh succeeds and the mart stores the value exactly; with `html_escaped`, the report shows
  it as escaped text and never as markup; in every case summary.md gains no link or image (a
  Markdown viewer would follow or fetch it).

tests/test_bad_input_corpus.py runs every case through the sources step (and, for accepted
values, the models, export and report) on an in-memory DuckDB, and one rejected and the accepted
cases through the real Dagster graph.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline.schemas.fields import HTTP_URL
from pipeline.schemas.raw import RAW_BY_NAME
from pipeline.transforms.sources.source_identity import RULE as OWN_ID
from tests.harness import rechecksum

ROWS = "rows_follow_schema"
ORIGIN = "origin_record_matches_file"
PIN = "pin_is_valid_and_met"
DECLARED = "every_file_is_declared"
PIN = "pin_is_valid_and_met"
DECLARED = "every_file_is_declared"
FIFTY_MB = 50 * 1024 * 1024
ONE_MB = 1024 * 1024


# --- mutations -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replace:
    """Replace the first `count` occurrences of `old` by `new` (UTF-8 text or raw bytes)."""

    old: str | bytes
    new: str | bytes
    count: int = 1

    def __call__(self, data: bytes) -> bytes:
        old = self.old.encode() if isinstance(self.old, str) else self.old
        new = self.new.encode() if isinstance(self.new, str) else self.new
        assert data.count(old) >= self.count, f"{self.old!r} is not in the file {self.count}x"
        return data.replace(old, new, self.count)


def _records(data: bytes) -> tuple[list[str], list[list[str]], list[str]]:
    """Header, records and physical lines of a one-record-per-line CSV (the raw files are)."""
    lines = data.decode("utf-8").split("\n")
    assert lines[-1] == "", "the file must end with a newline before it is mutated"
    lines = lines[:-1]
    records = [next(csv.reader([line], strict=True)) for line in lines]
    assert all(len(r) == len(records[0]) for r in records), "one record per line expected"
    return records[0], records[1:], lines


def _render(record: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(record)
    return out.getvalue().removesuffix("\n")


@dataclass(frozen=True)
class SetCell:
    """Set one cell, found by its row's key, to `value`; only that line is rewritten, quoted
    the way a CSV writer quotes it (so the file stays valid CSV)."""

    key_column: str
    key: str
    column: str
    value: str

    def __call__(self, data: bytes) -> bytes:
        header, records, lines = _records(data)
        key_at, column_at = header.index(self.key_column), header.index(self.column)
        hits = [i for i, r in enumerate(records) if r[key_at] == self.key]
        assert len(hits) == 1, f"{self.key_column}={self.key!r} must name exactly one row"
        record = list(records[hits[0]])
        record[column_at] = self.value
        lines[hits[0] + 1] = _render(record)
        return ("\n".join(lines) + "\n").encode("utf-8")


def _rewrite(header: list[str], records: list[list[str]]) -> bytes:
    return ("\n".join(_render(r) for r in [header, *records]) + "\n").encode("utf-8")


def drop_column(name: str) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        header, records, _ = _records(data)
        at = header.index(name)
        return _rewrite(header[:at] + header[at + 1 :], [r[:at] + r[at + 1 :] for r in records])

    mutate.__doc__ = f"drop the column {name!r} from the header and every row"
    return mutate


def add_column(name: str, value: str) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        header, records, _ = _records(data)
        return _rewrite([*header, name], [[*r, value] for r in records])

    mutate.__doc__ = f"append a column {name!r} (value {value!r} in every row)"
    return mutate


def rename_column(old: str, new: str) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        header, _, lines = _records(data)
        assert old in header
        lines[0] = _render([new if name == old else name for name in header])
        return ("\n".join(lines) + "\n").encode("utf-8")

    mutate.__doc__ = f"rename the column {old!r} to {new!r} in the header"
    return mutate


def duplicate_row(key_column: str, key: str) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        header, records, lines = _records(data)
        at = next(i for i, r in enumerate(records) if r[header.index(key_column)] == key)
        lines.insert(at + 2, lines[at + 1])
        return ("\n".join(lines) + "\n").encode("utf-8")

    mutate.__doc__ = f"repeat the row {key_column}={key!r} right after itself"
    return mutate


def header_in_upper_case(data: bytes) -> bytes:
    """Write the header's names in upper case, as some spreadsheet exports do."""
    header, _, lines = _records(data)
    lines[0] = _render([name.upper() for name in header])
    return ("\n".join(lines) + "\n").encode("utf-8")


def delimited_by(delimiter: str) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        header, records, _ = _records(data)
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows([header, *records])
        return out.getvalue().encode("utf-8")

    mutate.__doc__ = f"write the whole file with {delimiter!r} as its delimiter"
    return mutate


def empty(data: bytes) -> bytes:
    """0 bytes."""
    return b""


def header_only(data: bytes) -> bytes:
    """Keep the header line (with its newline), drop every data row."""
    return data[: data.index(b"\n") + 1]


def strip_final_newline(data: bytes) -> bytes:
    """The last line is complete but the file does not end with a newline."""
    assert data.endswith(b"\n")
    return data[:-1]


def cut_last_row_mid_way(data: bytes) -> bytes:
    """Cut the file in the middle of its last row, without a final newline (a truncated copy)."""
    start = data.rindex(b"\n", 0, len(data) - 1) + 1
    return data[: start + (len(data) - start) // 2]


def cut_last_row_after_field(fields: int) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        start = data.rindex(b"\n", 0, len(data) - 1) + 1
        kept = data[start:].split(b",")[:fields]
        assert b'"' not in b",".join(kept), "cut outside quoted fields"
        return data[:start] + b",".join(kept) + b"\n"

    mutate.__doc__ = f"cut the last row after {fields} fields and end the line there"
    return mutate


def add_bom(data: bytes) -> bytes:
    """Prefix the UTF-8 byte-order mark (what some editors on Windows write)."""
    return b"\xef\xbb\xbf" + data


def crlf_everywhere(data: bytes) -> bytes:
    """Every line ends with CRLF (the file was saved on Windows)."""
    return data.replace(b"\n", b"\r\n")


def crlf_on_line(line: int) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        lines = data.split(b"\n")
        lines[line - 1] += b"\r"
        return b"\n".join(lines)

    mutate.__doc__ = f"only physical line {line} ends with CRLF"
    return mutate


def pad_to(size: int) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        body = data[data.index(b"\n") + 1 :]
        chunks, total = [data], len(data)
        while total < size:
            chunks.append(body)
            total += len(body)
        return b"".join(chunks)

    mutate.__doc__ = f"repeat the valid-looking data rows until the file is >= {size:,} bytes"
    return mutate


def drop_origin_field(name: str) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        origin = yaml.safe_load(data.decode("utf-8"))
        assert name in origin
        del origin[name]
        return yaml.safe_dump(origin, sort_keys=False, allow_unicode=True, width=100).encode()

    mutate.__doc__ = f"remove the field {name!r} from the origin record"
    return mutate


def tomorrow() -> str:
    return (dt.date.today() + dt.timedelta(days=1)).isoformat()


def replace_with_tomorrow(old: str, suffix: str) -> Callable[[bytes], bytes]:
    def mutate(data: bytes) -> bytes:
        return Replace(old + suffix, tomorrow() + suffix)(data)

    mutate.__doc__ = f"replace the date {old} by tomorrow's date (computed at test time)"
    return mutate


# --- expected outcomes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Rejected:
    message: str  # regex, re.MULTILINE, over the failing checks' messages
    also: tuple[str, ...] = ()  # further regexes that must match other lines too
    failing: tuple[tuple[str, str], ...] = ()  # (asset, check); default: (case's asset, ROWS)


@dataclass(frozen=True)
class AcceptedVerbatim:
    value: str  # stored exactly as written
    mart: str  # marts.<mart> and exports/<mart>.parquet
    key_column: str
    key: str
    column: str
    html_escaped: bool = False  # the report shows html.escape(value), never the raw markup


@dataclass(frozen=True)
class Case:
    id: str
    table: str | None  # raw table whose file is mutated (None: a file-system case)
    mutation: Callable
    expect: Rejected | AcceptedVerbatim
    target: str = "csv"  # "csv", "origin" (the .meta.yml beside the CSV), or "fs"
    rechecksum: bool = True  # re-record the CSV's sha256 in its origin record after the edit

    @property
    def failing(self) -> set[tuple[str, str]]:
        assert isinstance(self.expect, Rejected)
        return set(self.expect.failing or {(asset(self.table), ROWS)})


def asset(table: str) -> str:
    return f"raw_{FOLDERS[table]}__{table}"


def at(
    file: str,
    rule: str,
    row: int | None = None,
    column: str | None = None,
    value: str | None = None,
    line: str | None = None,
) -> str:
    """Regex of one whole Problem.message() line; `rule` and `value` are regexes. `row` is a
    CSV's data row (line row + 1), `line` a line given directly (a regex: a record's field)."""
    where = ["raw/" + re.escape(file)]
    if row is not None:
        where.append(f"line {row + 1}")
    elif line is not None:
        where.append(f"line {line}")
    if column is not None:
        where.append(f"column '{column}'")
    tail = "" if value is None else rf" \(value: {value}\)"
    return rf"^{', '.join(where)}: rule '{rule}' failed{tail}$"


# Files as the messages name them (under raw/).
T1 = "paper/table1_ranks.csv"
T2 = "paper/table2_kazakhstan_ranks.csv"
REGION = "paper/table2_region_members.csv"
FIG = "paper/figure1_bars.csv"
TIMELINE = "paper/timeline_events.csv"
REFS = "paper/references.csv"
COUNTRIES = "reference/countries.csv"
CROSSWALK = "reference/factor_crosswalk.csv"
SOURCES = "reference/sources.csv"
FUNDING = "reference/funding_claims.csv"
ERRATA = "reference/errata.csv"
ISO = "reference/iso3166_countries.csv"
CHECKS = "reference/reference_checks.csv"
CLAIMS = "paper/claims.csv"
CLAIM_VARIANTS = "paper/claim_variants.csv"
CLAIM_RECORDS = "reference/claim_records.csv"
INSTRUMENTS = "reference/funding_instruments.csv"
REGIME_TYPES = "reference/vdem_regime_types.csv"
CATEGORIES = "reference/event_categories.csv"
FOLDERS = {
    "table1_ranks": "paper",
    "table2_kazakhstan_ranks": "paper",
    "table2_region_members": "paper",
    "figure1_bars": "paper",
    "timeline_events": "paper",
    "references": "paper",
    "countries": "reference",
    "factor_crosswalk": "reference",
    "sources": "reference",
    "funding_claims": "reference",
    "errata": "reference",
    "iso3166_countries": "reference",
    "reference_checks": "reference",
    "claims": "paper",
    "claim_variants": "paper",
    "claim_records": "reference",
    "funding_instruments": "reference",
    "vdem_regime_types": "reference",
    "event_categories": "reference",
}
READABLE = "a readable regular file inside the project, within its size limit"
DECLARED_RULE = "every file under raw/ is declared by a spec or an origin record"
FIELD_PRESENT = "origin record field is present and not empty"
NO_NEWLINE = r"file ends with a newline \(is the last line truncated\?\)"
FORMULA = r"does not start with = \+ - @ \(spreadsheet formula\)"
KNOWN = "every value is a known {}"
HTTP_URL_RULE = re.escape(f"an http:// or https:// URL (matches {HTTP_URL})")
LABEL_MAPS = r"label maps to the country whose paper_codes list it \(countries\.csv\)"

HTML_PAYLOAD = (
    "<script>document.title='pwned'</script><img src=x onerror=\"alert('x')\"> & "
    "<b>bold</b> said the paper"
)
MARKDOWN_PAYLOAD = "See [the decree](javascript:alert(1)) ![seal](http://127.0.0.1:9/seal.png)"
HTML_TITLE = "<i>COVID-19</i> & <svg/onload=x>"
STALE_CHECKSUM = r"sha256 in the origin record matches the data file"
SQL_ACTOR = "Ministry of Justice's 'Office'"
SQL_NAME = 'Kyrgyz "Republic"\'); DROP TABLE marts.funding; --'
QUOTED_TITLE = 'Human rights in "Central Asia", a \'survey\'; part 1, ""draft""'
PADDING_TEXT = "A" * ONE_MB

# --- file-system faults: a function of the raw folder ------------------------------------


def symlink_to(target: str, table: str = "table1_ranks") -> Callable[[Path], None]:
    def mutate(raw_dir: Path) -> None:
        path = raw_dir / FOLDERS[table] / f"{table}.csv"
        path.unlink()
        os.symlink(target, path)

    mutate.__doc__ = f"replace raw/.../{table}.csv by a symlink to {target}"
    return mutate


def symlink_outside(raw_dir: Path) -> None:
    """table1_ranks.csv becomes a symlink to an identical copy outside raw/."""
    path = raw_dir / "paper" / "table1_ranks.csv"
    outside = raw_dir.parent / "elsewhere.csv"
    outside.write_bytes(path.read_bytes())
    path.unlink()
    os.symlink(outside, path)


def sparse_file(size: int, table: str = "references") -> Callable[[Path], None]:
    def mutate(raw_dir: Path) -> None:
        os.truncate(raw_dir / FOLDERS[table] / f"{table}.csv", size)

    mutate.__doc__ = f"grow {table}.csv to {size:,} bytes (sparse: nothing is written)"
    return mutate


def add_file(relative: str, text: str) -> Callable[[Path], None]:
    def mutate(raw_dir: Path) -> None:
        (raw_dir / relative).parent.mkdir(parents=True, exist_ok=True)
        (raw_dir / relative).write_text(text, encoding="utf-8")

    mutate.__doc__ = f"add raw/{relative}"
    return mutate


def edit_pin(old: str, new: str) -> Callable[[Path], None]:
    def mutate(raw_dir: Path) -> None:
        record = raw_dir / "wjp" / "roli.meta.yml"
        record.write_bytes(Replace(old, new)(record.read_bytes()))

    mutate.__doc__ = f"in raw/wjp/roli.meta.yml, {old!r} becomes {new!r}"
    return mutate


ADDED_RECORD = """title: A long-format source added for a test
producer: Test
citation: Test.
locator: whole file
url_note: none
{accessed}
license: Test data; no rights.
transcription: Generated.
sha256: {sha256}
source_id: {claimed}
file: {source_id}.csv
indicators: {{x_index: {{name: An index}}}}
"""


def add_source(
    source_id: str, rows: str = "KAZ,2022,x_index,0.5\n", accessed: str = "", claimed: str = ""
) -> Callable[[Path], None]:
    def mutate(raw_dir: Path) -> None:
        data = f"country_iso3,year,indicator_code,value\n{rows}".encode()
        folder = raw_dir / "indicators"
        folder.mkdir(exist_ok=True)
        (folder / f"{source_id}.csv").write_bytes(data)
        record = ADDED_RECORD.format(
            accessed=f"date_accessed: '{accessed}'" if accessed else "date_accessed_note: none",
            sha256=hashlib.sha256(data).hexdigest(),
            claimed=claimed or source_id,
            source_id=source_id,
        )
        (folder / f"{source_id}.meta.yml").write_text(record, encoding="utf-8")

    mutate.__doc__ = f"add the long-format source raw/indicators/{source_id}.csv, its record valid"
    return mutate


ORPHAN_RECORD = """title: A source whose data file is missing
producer: Test
citation: Test.
locator: whole file
url_note: none
date_accessed_note: none
license: Test data; no rights.
transcription: Generated.
sha256: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
source_id: orphan
file: orphan.csv
indicators: {x_index: {name: An index}}
"""

CORPUS: tuple[Case, ...] = (
    # --- paper/table1_ranks.csv
    Case(
        "table1-rank-zero",
        "table1_ranks",
        Replace("2022,65,140,", "2022,0,140,"),
        Rejected(at(T1, "at least 1", 1, "rank", "'0'")),
    ),
    Case(
        "table1-non-utf8-byte",
        "table1_ranks",
        Replace("–".encode(), b"\x96"),
        Rejected(at(T1, "valid UTF-8", 3, value="'byte 0x96'")),
    ),
    Case(
        "table1-50MB-file",
        "table1_ranks",
        pad_to(FIFTY_MB),
        Rejected(at(T1, READABLE, value=r"'is 5\d\.\d MB, the limit is 5\.0 MB'")),
    ),
    Case(
        "table1-symlink-to-dev-zero",
        "table1_ranks",
        symlink_to("/dev/zero"),
        Rejected(
            at(T1, READABLE, value=r"'is a symlink to a device \(/dev/zero\), not a regular file'")
        ),
        target="fs",
    ),
    Case(
        "table1-symlink-outside-raw",
        "table1_ranks",
        symlink_outside,
        Rejected(
            at(
                T1,
                READABLE,
                value=r"'is a symlink to .*elsewhere\.csv, which resolves "
                r"outside raw/'",
            )
        ),
        target="fs",
    ),
    # --- paper/table2_kazakhstan_ranks.csv
    Case(
        "table2-negative-rank",
        "table2_kazakhstan_ranks",
        Replace("9/14*,2022,9,14,", "9/14*,2022,-9,14,"),
        Rejected(at(T2, "at least 1", 1, "rank", "'-9'")),
    ),
    Case(
        "table2-rank-above-n-ranked",
        "table2_kazakhstan_ranks",
        Replace("35/42**,2022,35,42,", "35/42**,2022,43,42,"),
        Rejected(at(T2, "rank <= n_ranked", 2, "rank", "'43'")),
    ),
    Case(
        "table2-stray-delimiter",
        "table2_kazakhstan_ranks",
        Replace("9/14*,", "9,14*,"),
        Rejected(
            at(
                T2,
                r"well-formed CSV \(too many columns\)",
                1,
                value="'Expected Number of Columns: 13 Found: 14'",
            )
        ),
    ),
    # --- paper/table2_region_members.csv
    Case(
        "region-empty-file",
        "table2_region_members",
        empty,
        Rejected(at(REGION, "file is not empty")),
    ),
    Case(
        "region-list-position-not-an-integer",
        "table2_region_members",
        Replace("1,Georgia,GEO", "one,Georgia,GEO"),
        Rejected(at(REGION, "an integer", 1, "list_position", "'one'")),
    ),
    Case(
        "region-unknown-country-code",
        "table2_region_members",
        Replace("1,Georgia,GEO", "1,Georgia,GEX"),
        Rejected(at(REGION, KNOWN.format(r"countries\.country_iso3"), 1, "country_iso3", "'GEX'")),
    ),
    Case(
        "region-origin-url-without-reason",
        "table2_region_members",
        drop_origin_field("url_note"),
        Rejected(
            at(
                "paper/table2_region_members.meta.yml",
                "url is given, or url_note says why not",
                column="url",
                line=r"\d+",
            ),
            failing=((asset("table2_region_members"), ORIGIN),),
        ),
        target="origin",
        rechecksum=False,
    ),
    # --- paper/figure1_bars.csv
    Case(
        "figure1-header-only",
        "figure1_bars",
        header_only,
        Rejected(at(FIG, "file has at least one data row")),
    ),
    Case(
        "figure1-TD-mapped-to-TCD-Chad",
        "figure1_bars",
        Replace("2,TD,Tajikistan,TJK,", "2,TD,Tajikistan,TCD,"),
        Rejected(
            at(FIG, LABEL_MAPS, 2, "country_iso3", "'TD -> TCD'"),
            also=(at(FIG, KNOWN.format(r"countries\.country_iso3"), 2, "country_iso3", "'TCD'"),),
        ),
    ),
    Case(
        "figure1-TR-mapped-to-TUR-Turkey",
        "figure1_bars",
        Replace("3,TR,Turkmenistan,TKM,", "3,TR,Turkmenistan,TUR,"),
        Rejected(at(FIG, LABEL_MAPS, 3, "country_iso3", "'TR -> TUR'")),
    ),
    # --- paper/timeline_events.csv
    Case(
        "timeline-unbalanced-quote",
        "timeline_events",
        Replace(",Protesters in Karakalpakstan,", ',"Protesters in Karakalpakstan,'),
        Rejected(at(TIMELINE, r"well-formed CSV \(unquoted value\)", 23, column=".+", value=".+")),
    ),
    Case(
        "timeline-impossible-date-2022-02-30",
        "timeline_events",
        Replace("2019-03-20,day", "2022-02-30,day"),
        Rejected(at(TIMELINE, "a real calendar date YYYY-MM-DD", 8, "event_date", "'2022-02-30'")),
    ),
    Case(
        "timeline-precision-contradicts-date",
        "timeline_events",
        Replace("2022-03-01,month", "2022-03-15,month"),
        Rejected(
            at(TIMELINE, "event_date agrees with date_precision", 22, "event_date", "'2022-03-15'")
        ),
    ),
    Case(
        "timeline-unknown-citation-key",
        "timeline_events",
        Replace(",rollan2021,", ",rollan2020,"),
        Rejected(
            at(
                TIMELINE,
                KNOWN.format(r"references\.reference_key"),
                8,
                "citation_keys",
                "'rollan2020'",
            )
        ),
    ),
    Case(
        "timeline-unknown-country-in-list",
        "timeline_events",
        Replace("KAZ;KGZ;TJK;TKM;UZB", "KAZ;KGZ;TJK;TKM;UZX"),
        Rejected(
            at(TIMELINE, KNOWN.format(r"countries\.country_iso3"), 4, "country_iso3s", "'UZX'")
        ),
    ),
    Case(
        "timeline-category-no-vocabulary-lists",
        "timeline_events",
        SetCell("event_id", "ev_2022_karakalpakstan_protests", "category", "riot"),
        Rejected(
            at(TIMELINE, KNOWN.format(r"event_categories\.category"), 23, "category", "'riot'")
        ),
    ),
    Case(
        "timeline-html-in-description",
        "timeline_events",
        SetCell("event_id", "ev_2022_karakalpakstan_protests", "description", HTML_PAYLOAD),
        AcceptedVerbatim(
            HTML_PAYLOAD,
            "timeline",
            "event_id",
            "ev_2022_karakalpakstan_protests",
            "description",
            html_escaped=True,
        ),
    ),
    Case(
        "timeline-html-in-title",
        "timeline_events",
        SetCell("event_id", "ev_2020_covid19_outbreak", "title", HTML_TITLE),
        AcceptedVerbatim(
            HTML_TITLE,
            "timeline",
            "event_id",
            "ev_2020_covid19_outbreak",
            "title",
            html_escaped=True,
        ),
    ),
    # summary.md is the report too: the text must not become a link or a fetched image there.
    Case(
        "timeline-markdown-link-in-description",
        "timeline_events",
        SetCell("event_id", "ev_2022_treaty_body_inquiries", "description", MARKDOWN_PAYLOAD),
        AcceptedVerbatim(
            MARKDOWN_PAYLOAD, "timeline", "event_id", "ev_2022_treaty_body_inquiries", "description"
        ),
    ),
    Case(
        "timeline-sql-quotes-in-actor",
        "timeline_events",
        SetCell("event_id", "ev_2019_tokayev_presidential_election", "actor", SQL_ACTOR),
        AcceptedVerbatim(
            SQL_ACTOR, "timeline", "event_id", "ev_2019_tokayev_presidential_election", "actor"
        ),
    ),
    # --- paper/references.csv
    # A URL is http(s) only: file:, javascript:, data: would be links in the report.
    Case(
        "references-url-file-scheme",
        "references",
        SetCell("reference_key", "axyonova2014", "url", "file:///etc/passwd"),
        Rejected(at(REFS, HTTP_URL_RULE, 3, "url", "'file:///etc/passwd'")),
    ),
    # A date is not after the date the record says the source was accessed.
    Case(
        "references-accessed-after-the-record-was-read",
        "references",
        Replace("date_accessed: null", "date_accessed: '2024-01-01'"),
        Rejected(
            at(
                REFS,
                "not after the source's date_accessed 2024-01-01",
                12,
                "accessed_date",
                "'2024-03-22'",
            )
        ),
        target="origin",
        rechecksum=False,
    ),
    Case(
        "references-edited-without-checksum",
        "references",
        Replace(",Human rights in Central Asia,", ",Human rights in Central Asia (2nd ed.),"),
        Rejected(
            at(
                "paper/references.meta.yml",
                STALE_CHECKSUM,
                column="sha256",
                value="'recorded [0-9a-f]{64}, .+",
                line=r"\d+",
            ),
            failing=((asset("references"), ORIGIN),),
        ),
        rechecksum=False,
    ),
    Case(
        "references-cut-mid-row",
        "references",
        cut_last_row_mid_way,
        Rejected(at(REFS, NO_NEWLINE, 40)),
    ),
    # A runaway field must be refused by the text-length rule, on its row and column.
    Case(
        "references-1MB-text-field",
        "references",
        SetCell("reference_key", "afzal2004", "notes", PADDING_TEXT),
        Rejected(at(REFS, "at most 2000 characters", 1, "notes", r"'A{70,}\.\.\.")),
    ),
    # A file that claims 2.1 GB is refused from its size alone, before a byte is read.
    Case(
        "references-2GB-sparse-file",
        "references",
        sparse_file(2_100_000_000),
        Rejected(at(REFS, READABLE, value=r"'is 2\.1 GB, the limit is 5\.0 MB'")),
        target="fs",
    ),
    Case(
        "references-quotes-in-title",
        "references",
        SetCell("reference_key", "afzal2004", "title", QUOTED_TITLE),
        AcceptedVerbatim(QUOTED_TITLE, "references", "reference_key", "afzal2004", "title"),
    ),
    # --- reference/countries.csv
    Case(
        "countries-origin-url-data-scheme",
        "countries",
        Replace("url: https://www.iso.org/", "url: data:text/html,<script>alert(1)</script>"),
        Rejected(
            at(
                "reference/countries.meta.yml",
                "an http:// or https:// URL",
                column="url",
                value="'data:text/html.*'",
                line=r"\d+",
            ),
            failing=((asset("countries"), ORIGIN),),
        ),
        target="origin",
        rechecksum=False,
    ),
    Case(
        "countries-no-final-newline",
        "countries",
        strip_final_newline,
        Rejected(at(COUNTRIES, NO_NEWLINE, 17)),
    ),
    Case(
        "countries-duplicate-key",
        "countries",
        duplicate_row("country_iso3", "KAZ"),
        Rejected(
            at(COUNTRIES, r"key \(country_iso3\) is unique", 5, "country_iso3", "'KAZ'"),
            also=(at(COUNTRIES, r"key \(country_iso3\) is unique", 6, "country_iso3", "'KAZ'"),),
        ),
    ),
    Case(
        "countries-boolean-written-yes",
        "countries",
        Replace("KAZ,KZ,Kazakhstan,iso_3166_1,true", "KAZ,KZ,Kazakhstan,iso_3166_1,yes"),
        Rejected(at(COUNTRIES, "true or false", 5, "is_central_asia", "'yes'")),
    ),
    Case(
        "countries-TD-dropped-from-Tajikistan",
        "countries",
        SetCell("country_iso3", "TJK", "paper_codes", ""),
        Rejected(
            at(FIG, LABEL_MAPS, 2, "country_iso3", "'TD -> TJK'"),
            also=(at(FIG, KNOWN.format(r"countries\.paper_codes"), 2, "label_as_printed", "'TD'"),),
            failing=((asset("figure1_bars"), ROWS),),
        ),
    ),
    # --- reference/factor_crosswalk.csv
    Case(
        "crosswalk-column-missing",
        "factor_crosswalk",
        drop_column("wjp_factor_name"),
        Rejected(
            at(
                CROSSWALK,
                "column required by the spec is present",
                column="wjp_factor_name",
                line="1",
            )
        ),
    ),
    Case(
        "crosswalk-header-in-upper-case",
        "factor_crosswalk",
        header_in_upper_case,
        Rejected(
            rf"^raw/{re.escape(CROSSWALK)}, line 1: header differs from the spec only in case: "
            r"PAPER_LABEL → paper_label, FACTOR_CODE → factor_code, FACTOR_NUMBER → "
            r"factor_number and 1 more$"
        ),
    ),
    Case(
        "crosswalk-crlf-line-ends",
        "factor_crosswalk",
        crlf_everywhere,
        Rejected(at(CROSSWALK, r"LF line endings \(no CR/CRLF\)", line="1")),
    ),
    Case(
        "crosswalk-factor-number-out-of-range",
        "factor_crosswalk",
        Replace("Criminal justice,F8,8,", "Criminal justice,F8,9,"),
        Rejected(at(CROSSWALK, "between 0 and 8", 9, "factor_number", "'9'")),
    ),
    # --- reference/iso3166_countries.csv
    Case(
        "iso-duplicate-key",
        "iso3166_countries",
        duplicate_row("country_iso3", "KAZ"),
        Rejected(
            at(ISO, r"key \(country_iso3\) is unique", 117, "country_iso3", "'KAZ'"),
            also=(at(ISO, r"key \(country_iso3\) is unique", 118, "country_iso3", "'KAZ'"),),
        ),
    ),
    # --- reference/sources.csv
    Case(
        "sources-url-javascript",
        "sources",
        SetCell("source_id", "eeas_ca_development_priorities", "url", "javascript:alert(1)"),
        Rejected(at(SOURCES, HTTP_URL_RULE, 2, "url", r"'javascript:alert\(1\)'")),
    ),
    Case(
        "sources-extra-column",
        "sources",
        add_column("reviewer", "someone"),
        Rejected(
            at(
                SOURCES,
                r"column is in the spec \(unexpected or renamed column\)",
                column="reviewer",
                line="1",
            )
        ),
    ),
    Case(
        "sources-semicolon-delimited",
        "sources",
        delimited_by(";"),
        Rejected(
            rf"^raw/{re.escape(SOURCES)}, line 1: the file looks semicolon-delimited; this project "
            r"reads comma-separated CSV \(RFC 4180\)$"
        ),
    ),
    Case(
        "sources-bom",
        "sources",
        add_bom,
        Rejected(at(SOURCES, r"UTF-8 without a byte-order mark \(BOM\)", line="1")),
    ),
    Case(
        "sources-origin-missing-license",
        "sources",
        drop_origin_field("license"),
        Rejected(
            at("reference/sources.meta.yml", FIELD_PRESENT, column="license"),
            failing=((asset("sources"), ORIGIN),),
        ),
        target="origin",
        rechecksum=False,
    ),
    # --- reference/funding_claims.csv
    Case(
        "funding-negative-amount",
        "funding_claims",
        Replace("1000000000.00,EUR,about", "-1000000000.00,EUR,about"),
        Rejected(at(FUNDING, "at least 0", 1, "amount_eur", "'-1000000000.00'")),
    ),
    Case(
        "funding-amount-with-euro-sign",
        "funding_claims",
        Replace("1000000000.00,EUR,about", "€1000000000,EUR,about"),
        Rejected(
            at(
                FUNDING,
                "an amount with at most 2 decimals, no thousands separators or currency signs",
                1,
                "amount_eur",
                "'€1000000000'",
            )
        ),
    ),
    Case(
        "funding-other-currency",
        "funding_claims",
        Replace("1100000000.00,EUR,reached", "1100000000.00,USD,reached"),
        Rejected(at(FUNDING, r"one of \['EUR'\]", 2, "currency", "'USD'")),
    ),
    Case(
        "funding-formula-hyperlink",
        "funding_claims",
        SetCell(
            "claim_id", "ca_all_support_paper", "scope_as_stated", '=HYPERLINK("http://x","y")'
        ),
        Rejected(at(FUNDING, FORMULA, 1, "scope_as_stated", r"""'=HYPERLINK\("http://x","y"\)'""")),
    ),
    # '-' starts a formula too (OWASP CSV injection: = + - @ tab CR); a DDE payload.
    Case(
        "funding-formula-minus-dde",
        "funding_claims",
        SetCell("claim_id", "ca_all_support_paper", "scope_as_stated", "-2+3+cmd|' /C calc'!A0"),
        Rejected(
            at(
                FUNDING,
                r"does not start with .*\(spreadsheet formula\)",
                1,
                "scope_as_stated",
                ".+",
            )
        ),
    ),
    Case(
        "funding-cut-mid-row",
        "funding_claims",
        cut_last_row_after_field(7),
        Rejected(
            at(
                FUNDING,
                r"well-formed CSV \(missing columns\)",
                12,
                column=".+",
                value="'Expected Number of Columns: 15 Found: 7'",
            )
        ),
    ),
    Case(
        "funding-sql-quotes-in-name",
        "funding_claims",
        SetCell("claim_id", "kgz_bilateral_24kg", "recipient_name", SQL_NAME),
        AcceptedVerbatim(SQL_NAME, "funding", "claim_id", "kgz_bilateral_24kg", "recipient_name"),
    ),
    Case(
        "funding-claim-with-an-instrument-nobody-describes",
        "funding_claims",
        SetCell("claim_id", "tjk_bilateral_eeas", "instrument", "bilateral_grants"),
        Rejected(
            at(
                FUNDING,
                KNOWN.format(r"funding_instruments\.instrument"),
                4,
                "instrument",
                "'bilateral_grants'",
            )
        ),
    ),
    # --- reference/event_categories.csv: the one list of categories, each once
    Case(
        "event-category-listed-twice",
        "event_categories",
        duplicate_row("category", "protest"),
        Rejected(
            at(CATEGORIES, r"key \(category\) is unique", 8, "category", "'protest'"),
            also=(at(CATEGORIES, r"key \(category\) is unique", 9, "category", "'protest'"),),
        ),
    ),
    # --- reference/vdem_regime_types.csv: a name for a code V-Dem does not have
    Case(
        "regime-type-with-a-code-v-dem-does-not-use",
        "vdem_regime_types",
        SetCell("v2x_regime", "3", "v2x_regime", "4"),
        Rejected(at(REGIME_TYPES, r"one of \[0, 1, 2, 3\]", 4, "v2x_regime", "'4'")),
    ),
    # --- reference/funding_instruments.csv: what an instrument covers decides what adds up
    Case(
        "instrument-covering-something-undefined",
        "funding_instruments",
        SetCell("instrument", "erasmus_plus", "covers", "some"),
        Rejected(
            at(
                INSTRUMENTS,
                r"one of \['all', 'bilateral', 'regional', 'unknown'\]",
                4,
                "covers",
                "'some'",
            )
        ),
    ),
    Case(
        "instrument-described-twice",
        "funding_instruments",
        SetCell("instrument", "erasmus_plus", "instrument", "bilateral"),
        Rejected(
            at(INSTRUMENTS, r"key \(instrument\) is unique", 4, "instrument", "'bilateral'"),
            # and the claims of the instrument that is gone no longer resolve
            also=(
                at(
                    FUNDING,
                    KNOWN.format(r"funding_instruments\.instrument"),
                    9,
                    "instrument",
                    "'erasmus_plus'",
                ),
            ),
            failing=(
                (asset("funding_instruments"), ROWS),
                (asset("funding_claims"), ROWS),
            ),
        ),
    ),
    # --- reference/errata.csv
    Case(
        "errata-column-renamed",
        "errata",
        rename_column("notes", "note"),
        Rejected(
            at(
                ERRATA,
                r"column is in the spec \(unexpected or renamed column\)",
                column="note",
                line="1",
            ),
            also=(at(ERRATA, "column required by the spec is present", column="notes", line="1"),),
        ),
    ),
    Case(
        "errata-date-in-the-future",
        "errata",
        replace_with_tomorrow("2019-06-09", ",day"),
        Rejected(at(ERRATA, "not in the future", 1, "corrected_date", r"'\d{4}-\d{2}-\d{2}'")),
    ),
    Case(
        "errata-crlf-on-one-line",
        "errata",
        crlf_on_line(3),
        Rejected(at(ERRATA, r"LF line endings \(no CR/CRLF\)", 2)),
    ),
    # --- reference/reference_checks.csv
    Case(
        "reference-check-of-a-reference-not-in-the-list",
        "reference_checks",
        Replace("afzal2004,not_checked", "afzal2005,not_checked"),
        Rejected(
            at(
                CHECKS,
                KNOWN.format(r"references\.reference_key"),
                1,
                "reference_key",
                "'afzal2005'",
            )
        ),
    ),
    Case(
        "reference-check-verified-without-a-record",
        "reference_checks",
        SetCell("reference_key", "alexandrov2018", "record_urls", ""),
        Rejected(
            at(
                CHECKS,
                "a checked reference names its record; an unchecked one has none",
                2,
                "record_urls",
            )
        ),
    ),
    # --- paper/claims.csv: a verdict needs a rule it knows, countries it knows, years in order
    Case(
        "claim-with-an-unknown-rule",
        "claims",
        SetCell("claim_id", "clm_the_rest_are_authoritarian", "rule_kind", "vibes"),
        Rejected(at(CLAIMS, r"one of \['all_autocracies', .*\]", 2, "rule_kind", "'vibes'")),
    ),
    Case(
        "claim-about-an-unknown-country",
        "claims",
        SetCell("claim_id", "clm_situation_has_begun_to_change", "country_iso3s", "UZB;TJX"),
        Rejected(at(CLAIMS, KNOWN.format(r"countries\.country_iso3"), 3, "country_iso3s", "'TJX'")),
    ),
    Case(
        "claim-with-years-reversed",
        "claims",
        SetCell("claim_id", "clm_situation_has_begun_to_change", "year_from", "2024"),
        Rejected(at(CLAIMS, "year_from <= year_to", 3, "year_from", ".*")),
    ),
    Case(
        "claim-variant-counting-unknown-countries",
        "claim_variants",
        SetCell("variant_id", "window_3y", "country_scope", "mars"),
        Rejected(
            at(CLAIM_VARIANTS, r"one of \['europe_asia', 'world'\]", 16, "country_scope", "'mars'")
        ),
    ),
    Case(
        "claim-record-with-an-unknown-finding",
        "claim_records",
        SetCell("record_id", "rec_bankoff_south_kazakhstan", "finding", "vibes"),
        Rejected(at(CLAIM_RECORDS, r"one of \['confirms', .*\]", 22, "finding", "'vibes'")),
    ),
    Case(
        "claim-record-of-an-unknown-claim",
        "claim_records",
        SetCell("record_id", "rec_bankoff_south_kazakhstan", "claim_id", "clm_bankoff_nowhere"),
        Rejected(
            at(
                CLAIM_RECORDS,
                KNOWN.format(r"claims\.claim_id"),
                22,
                "claim_id",
                "'clm_bankoff_nowhere'",
            )
        ),
    ),
    # --- files nobody declared, and records without their data
    Case(
        "unknown-csv-in-paper",
        None,
        add_file("paper/notes.csv", "a,b\n1,2\n"),
        Rejected(
            at("paper/notes.csv", re.escape(DECLARED_RULE)), failing=(("raw_inventory", DECLARED),)
        ),
        target="fs",
    ),
    Case(
        "indicator-csv-without-record",
        None,
        add_file("indicators/vdem.csv", "country_iso3,year,indicator_code,value\n"),
        Rejected(
            at("indicators/vdem.csv", re.escape(DECLARED_RULE)),
            failing=(("raw_inventory", DECLARED),),
        ),
        target="fs",
    ),
    Case(
        "indicator-record-without-data",
        None,
        add_file("indicators/orphan.meta.yml", ORPHAN_RECORD),
        Rejected(
            at("indicators/orphan.csv", READABLE, value="'does not exist'"),
            failing=(("raw_indicators__orphan", ROWS),),
        ),
        target="fs",
    ),
    # --- added sources: an id of their own, years not after the source was read
    Case(
        "indicator-source-takes-the-wjp-download-id",
        None,
        add_source("wjp_roli"),
        Rejected(
            at(
                "indicators/wjp_roli.meta.yml",
                re.escape(OWN_ID),
                column="source_id",
                value=r"'wjp_roli: taken by the download raw/wjp/roli\.meta\.yml'",
                line=r"\d+",
            ),
            failing=(("raw_indicators__wjp_roli", ORIGIN),),
        ),
        target="fs",
    ),
    Case(
        "indicator-source-takes-the-paper-table1-id",
        None,
        add_source("paper_table1"),
        Rejected(
            at(
                "indicators/paper_table1.meta.yml",
                re.escape(OWN_ID),
                column="source_id",
                value=r"'paper_table1: taken by a built-in source, named in pipeline/sql/.+'",
                line=r"\d+",
            ),
            failing=(("raw_indicators__paper_table1", ORIGIN),),
        ),
        target="fs",
    ),
    # The models pick the paper's rows by `source_id like 'paper_%'`: such an id joins them.
    Case(
        "indicator-source-named-like-the-papers-rows",
        None,
        add_source("paper_table3"),
        Rejected(
            at(
                "indicators/paper_table3.meta.yml",
                re.escape(OWN_ID),
                column="source_id",
                value="\"paper_table3: taken by the rows .+ picks by source_id like 'paper_%'\"",
                line=r"\d+",
            ),
            failing=(("raw_indicators__paper_table3", ORIGIN),),
        ),
        target="fs",
    ),
    Case(
        "indicator-record-claims-another-sources-id",
        None,
        add_source("extra_index", claimed="vdem_v15"),
        Rejected(
            at(
                "indicators/extra_index.meta.yml",
                "source_id equals the record's file name",
                column="source_id",
                value="'vdem_v15'",
                line=r"\d+",
            ),
            failing=(("raw_indicators__extra_index", ORIGIN),),
        ),
        target="fs",
    ),
    # raw_indicators__values gathers every source: a source named so would be its own reader.
    Case(
        "indicator-source-named-values",
        None,
        add_source("values"),
        Rejected(
            at("indicators/values.meta.yml", re.escape(DECLARED_RULE)),
            also=(r"^    fix: rename it: 'values' is the asset raw_indicators__values, .+$",),
            failing=(("raw_inventory", DECLARED),),
        ),
        target="fs",
    ),
    Case(
        "indicator-value-dated-2099",
        None,
        add_source("future_index", "KAZ,2022,x_index,0.5\nKAZ,2099,x_index,0.6\n"),
        Rejected(
            at("indicators/future_index.csv", "a year not in the future", 2, "year", "'2099'"),
            failing=(("raw_indicators__future_index", ROWS),),
        ),
        target="fs",
    ),
    Case(
        "indicator-value-after-the-source-was-accessed",
        None,
        add_source("accessed_index", "KAZ,2023,x_index,0.5\nKAZ,2024,x_index,0.6\n", "2023-05-01"),
        Rejected(
            at(
                "indicators/accessed_index.csv",
                "a year not after the source's date_accessed 2023-05-01",
                2,
                "year",
                "'2024'",
            ),
            failing=(("raw_indicators__accessed_index", ROWS),),
        ),
        target="fs",
    ),
    # --- the WJP pin: validated before any network or cache access
    # A typo in the url is refused before it is downloaded or cited, naming both URLs.
    Case(
        "pin-url-disagrees-with-repository",
        None,
        edit_pin(
            "/worldjusticeproject/roli-country-profiles/",
            "/worldjusticeproject/roli-country-profile/",
        ),
        Rejected(
            at(
                "wjp/roli.meta.yml",
                r"url is the one repository, commit and path give \(https://raw\."
                r"githubusercontent\.com/worldjusticeproject/roli-country-profiles/"
                r"6dd0f7d3e410e0d3c646663b1aeef7df9f48dae3/data/roli\.json\)",
                column="url",
                value=r"'https://raw\.githubusercontent\.com/worldjusticeproject/"
                r"roli-country-profile/6dd0f7d3e410e0d3c646663b1aeef7df9f48dae3/data/roli\.json'",
                line=r"\d+",
            ),
            failing=(("raw_wjp__roli", PIN),),
        ),
        target="fs",
    ),
    Case(
        "pin-url-javascript",
        None,
        edit_pin("url: https://raw.githubusercontent.com/", "url: javascript:alert(1)//"),
        Rejected(
            at(
                "wjp/roli.meta.yml",
                "an http:// or https:// URL",
                column="url",
                value=r"'javascript:alert\(1\)//.+'",
                line=r"\d+",
            ),
            failing=(("raw_wjp__roli", PIN),),
        ),
        target="fs",
    ),
    Case(
        "pin-bytes-not-an-integer",
        None,
        edit_pin("bytes: 862754", "bytes: lots"),
        Rejected(
            at("wjp/roli.meta.yml", "an integer", column="bytes", value="'lots'", line=r"\d+"),
            failing=(("raw_wjp__roli", PIN),),
        ),
        target="fs",
    ),
    # A mistyped checksum is a changed pin that nothing meets: refused, not published empty.
    Case(
        "pin-sha256-mistyped",
        None,
        edit_pin("sha256: 4edb3107", "sha256: 4edb3108"),
        Rejected(
            at(
                "wjp/roli.meta.yml",
                r"a changed pin is met by the file it names .*",
                column="sha256",
                value="'4edb3108.*",
                line=r"\d+",
            ),
            failing=(("raw_wjp__roli", PIN),),
        ),
        target="fs",
    ),
)
REJECTED = [c for c in CORPUS if isinstance(c.expect, Rejected)]
ACCEPTED = [c for c in CORPUS if isinstance(c.expect, AcceptedVerbatim)]


def apply(case: Case, raw_dir: Path) -> None:
    """Break (or oddly change) a copy of raw/ as the case says."""
    if case.target == "fs":
        case.mutation(raw_dir)
        return
    csv_path = raw_dir / RAW_BY_NAME[case.table].relative_path
    target = csv_path if case.target == "csv" else csv_path.with_name(f"{case.table}.meta.yml")
    before = target.read_bytes()
    after = case.mutation(before)
    assert after != before, "the mutation changed nothing"
    target.write_bytes(after)
    if case.rechecksum:
        rechecksum(csv_path)
