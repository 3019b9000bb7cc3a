"""V-Dem as a second primary source, two ways in.

1. The pinned download (raw/vdem/ert.meta.yml): V-Dem's real ERT 15.0 file, served by a local
   HTTP server, lands in marts.indicators for every country-year, values equal to the file's;
   offline, a first run publishes without V-Dem (claims that need it say why), and a later
   run keeps it from the cache. A code nobody declares is refused once per code, with counts.
2. The documented long-format path (raw/indicators/): the real file reshaped as a user would
   (v2x_polyarchy and v2x_regime per country-year) loads with an origin record that lists only
   the required columns and declares V-Dem's non-ISO codes; every one of its codes reaches
   marts.indicators with a status. Without the crosswalk, the unknown codes are listed once
   each with their counts and lines.

Everything is computed from V-Dem's pinned ert.csv at test time (obtained as the pipeline obtains
it, tests/published_files.py); nothing of it is committed.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from pipeline.schemas.raw import RAW_BY_NAME
from pipeline.transforms.sources.read_all import CHECK_ROWS
from tests.harness import OFFLINE, UNREACHABLE_URL, copy_raw, pin_snapshot, run_steps
from tests.vdem_fixtures import Ert
from tests.wjp_server import serve

VDEM_RECORD = "vdem/ert.meta.yml"
# The marts these tests read: each build reads and builds only what they are built from.
MARTS = ("indicators", "paper_claims")
VARIABLES = ("v2x_regime", "v2x_polyarchy", "aut_ep", "dem_ep")
LONG_ID = "vdem_ert_long"
LONG_INDICATORS = ("v2x_polyarchy", "v2x_regime")


@pytest.fixture(scope="module")
def ert(vdem_file) -> Ert:
    return Ert.parse(vdem_file)


@pytest.fixture(scope="module")
def records(ert) -> list[dict]:
    return ert.records()


# --- 1. the pinned download -----------------------------------------------------------------


def test_every_country_year_of_the_file_is_in_marts_indicators(built, records):
    expected = Counter()
    for row in records:
        for variable in VARIABLES:
            if row[variable] is not None:
                expected[(row["country_text_id"], int(row["year"]))] += 1
    found = built.query(
        "SELECT country_iso3, edition_year, count(*) FROM marts.indicators "
        "WHERE source_id = 'vdem_ert' GROUP BY ALL"
    )
    assert {(code, year): n for code, year, n in found} == dict(expected)
    assert len({code for code, _ in expected}) == len({r["country_text_id"] for r in records})


def test_values_and_intervals_equal_the_files(built, records):
    by_key = {(r["country_text_id"], int(r["year"])): r for r in records}
    kaz = by_key[("KAZ", 2022)]
    found = built.query(
        "SELECT factor_code, score, score_low, score_high FROM marts.indicators "
        "WHERE source_id = 'vdem_ert' AND country_iso3 = 'KAZ' AND edition_year = 2022 "
        "ORDER BY factor_code"
    )
    assert found == [
        ("aut_ep", float(kaz["aut_ep"]), None, None),
        ("dem_ep", float(kaz["dem_ep"]), None, None),
        (
            "v2x_polyarchy",
            float(kaz["v2x_polyarchy"]),
            float(kaz["v2x_polyarchy_codelow"]),
            float(kaz["v2x_polyarchy_codehigh"]),
        ),
        ("v2x_regime", float(kaz["v2x_regime"]), None, None),
    ]
    # every value, not one example: the mart's polyarchy equals the file's for all rows
    mart = dict(
        ((code, year), score)
        for code, year, score in built.query(
            "SELECT country_iso3, edition_year, score FROM marts.indicators "
            "WHERE source_id = 'vdem_ert' AND factor_code = 'v2x_polyarchy'"
        )
    )
    file = {k: float(r["v2x_polyarchy"]) for k, r in by_key.items() if r["v2x_polyarchy"]}
    assert mart == file


def test_every_code_has_a_status_and_the_declared_ones_keep_their_code(built, ert, records):
    statuses = dict(
        built.query(
            "SELECT DISTINCT country_iso3, country_code_status FROM marts.indicators "
            "WHERE source_id = 'vdem_ert'"
        )
    )
    declared = yaml.safe_load((built.raw_dir / VDEM_RECORD).read_text())["country_codes"]
    assert set(statuses) == {r["country_text_id"] for r in records}
    assert None not in statuses.values()
    for code, entry in declared.items():
        assert statuses[code] == entry["status"], code
    assert {statuses[c] for c in statuses if c not in declared} <= {"iso_3166_1", "user_assigned"}


def _served_steps(tmp_path: Path, ert_bytes: bytes, raw_dir: Path | None = None):
    raw_dir = raw_dir or copy_raw(tmp_path)
    pin_snapshot(raw_dir, ert_bytes, VDEM_RECORD)
    with serve({"/ert.csv": (200, ert_bytes, {})}) as url:
        return run_steps(raw_dir, tmp_path, OFFLINE | {"vdem_ert": f"{url}/ert.csv"}, marts=MARTS)


def test_offline_first_run_publishes_without_vdem_and_says_why_then_the_cache_keeps_it(
    tmp_path, ert
):
    fixture = ert.since(2015).render()
    raw_dir = copy_raw(tmp_path)
    pin_snapshot(raw_dir, fixture, VDEM_RECORD)
    offline = run_steps(raw_dir, tmp_path, marts=MARTS)
    assert offline.failed() == {}
    assert offline.query("SELECT count(*) FROM marts.indicators WHERE source_id = 'vdem_ert'") == [
        (0,)
    ]
    claims = offline.query(
        "SELECT claim_id, verdict, evidence FROM marts.paper_claims "
        "WHERE list_contains(checked_against, 'vdem_ert')"
    )
    assert claims, "some claims are checked against V-Dem"
    for claim_id, verdict, evidence in claims:
        assert verdict == "not_checkable", claim_id
        assert evidence.startswith("V-Dem unavailable in this refresh: download of "), evidence
        assert UNREACHABLE_URL in evidence

    online = _served_steps(tmp_path, fixture, raw_dir)
    assert online.failed() == {}
    again_offline = run_steps(raw_dir, tmp_path, marts=MARTS)
    assert again_offline.query("SELECT status, obtained_from FROM raw.vdem_snapshot") == [
        ("available", "cache")
    ]
    count = "SELECT count(*) FROM marts.indicators WHERE source_id = 'vdem_ert'"
    assert again_offline.query(count) == online.query(count) != [(0,)]


def test_a_code_nobody_declares_is_refused_once_with_its_rows_and_years(tmp_path, ert):
    fixture = ert.since(2015)
    for row in fixture.rows_of("KGZ"):
        row[fixture.column("country_text_id")] = '"QQQ"'
    steps = _served_steps(tmp_path, fixture.render())
    failed = steps.failed()
    assert set(failed) == {("raw_vdem__ert", CHECK_ROWS)}, failed
    message, fix = failed[("raw_vdem__ert", CHECK_ROWS)].splitlines()
    rows = len(fixture.rows_of("QQQ"))
    assert message.startswith("raw/vdem/ert.meta.yml, column 'country_codes': rule ")
    assert message.endswith(f"(value: 'QQQ (Kyrgyzstan): {rows} rows, years 2015-2024')")
    assert fix.strip() == "fix: declare QQQ under country_codes in raw/vdem/ert.meta.yml, " + (
        "with its name and status"
    )


def test_a_refused_list_of_codes_leaves_the_codes_unchecked_and_says_so(tmp_path, ert):
    """When ISO 3166-1's transcription is refused, V-Dem's codes cannot be checked against it:
    one problem names the missing list (no DuckDB error about a table that does not exist)."""
    raw_dir = copy_raw(tmp_path)
    with (raw_dir / "reference" / "iso3166_countries.csv").open("a", encoding="utf-8") as f:
        f.write("not a code,??,Nowhere\n")
    steps = _served_steps(tmp_path, ert.since(2015).render(), raw_dir)
    failed = steps.failed()
    message = failed[("raw_vdem__ert", CHECK_ROWS)]
    assert "not checked: raw.iso3166_countries is not in the build (refused above)" in message
    assert "Catalog Error" not in "".join(failed.values())
    assert ("raw_reference__iso3166_countries", CHECK_ROWS) in failed, sorted(failed)


def test_a_file_that_is_not_the_pinned_one_is_never_used_nor_cached(tmp_path, ert):
    raw_dir = copy_raw(tmp_path)
    pin_snapshot(raw_dir, ert.since(2015).render(), VDEM_RECORD)
    other = ert.since(2015).set("KAZ", 2022, v2x_polyarchy=0.965).render()  # same size
    with serve({"/ert.csv": (200, other, {})}) as url:
        steps = run_steps(raw_dir, tmp_path, OFFLINE | {"vdem_ert": f"{url}/ert.csv"})
    ((status, reason),) = steps.query("SELECT status, reason FROM raw.vdem_snapshot")
    assert status == "unavailable"
    assert "sha256" in reason, reason
    assert steps.query("SELECT count(*) FROM raw.vdem_ert") == [(0,)]
    assert not list((tmp_path / "cache").rglob("*.csv"))


# --- 2. the documented long-format path -----------------------------------------------------


def reshape_long(records: list[dict]) -> list[tuple[str, int, str, str]]:
    """v2x_polyarchy and v2x_regime of every country-year as long rows (values as written)."""
    return [
        (r["country_text_id"], int(r["year"]), variable, r[variable])
        for r in records
        for variable in LONG_INDICATORS
        if r[variable] is not None
    ]


def write_long_source(folder: Path, rows, country_codes: dict | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / f"{LONG_ID}.csv"
    with open(data, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["country_iso3", "year", "indicator_code", "value"])
        writer.writerows(rows)
    record = {
        "title": "V-Dem ERT 15.0, v2x_polyarchy and v2x_regime, reshaped to long format",
        "producer": "V-Dem Institute; reshaped by tests/test_vdem.py",
        "citation": "Maerz et al., ERT 15.0 (2025), built on V-Dem v15 (Coppedge et al., 2025).",
        "locator": "inst/ert.csv, columns v2x_polyarchy and v2x_regime",
        "url": "https://raw.githubusercontent.com/vdeminstitute/ERT/"
        "fa95b8bb8d55735019ee10e7cd0f6fa638cc55ef/inst/ert.csv",
        "date_accessed": None,
        "date_accessed_note": "Read from the download cache or the pinned URL at test time.",
        "license": "V-Dem's data, free re-use with attribution.",
        "transcription": "Unpivoted by the test, values as written.",
        "notes": "Only the required columns: the source gives no ranks.",
        "sha256": hashlib.sha256(data.read_bytes()).hexdigest(),
        "source_id": LONG_ID,
        "file": data.name,
        "value_min": 0,
        "value_max": 3,
        "indicators": {
            "v2x_polyarchy": {"name": "Electoral democracy index"},
            "v2x_regime": {"name": "Regimes of the World"},
        },
    }
    if country_codes is not None:
        record["country_codes"] = country_codes
    text = yaml.safe_dump(record, sort_keys=False, allow_unicode=True)
    (folder / f"{LONG_ID}.meta.yml").write_text(text, encoding="utf-8")
    return data


def declared_codes(raw_dir: Path) -> dict:
    return yaml.safe_load((raw_dir / VDEM_RECORD).read_text(encoding="utf-8"))["country_codes"]


def test_the_real_file_reshaped_loads_through_raw_indicators_with_every_code(tmp_path, records):
    raw_dir = copy_raw(tmp_path)
    rows = reshape_long(records)
    write_long_source(raw_dir / "indicators", rows, declared_codes(raw_dir))
    steps = run_steps(raw_dir, tmp_path, marts=MARTS)
    assert steps.failed() == {}
    codes = {code for code, *_ in rows}
    assert codes == {r["country_text_id"] for r in records}  # every country of the file
    found = steps.query(
        "SELECT country_iso3, country_code_status, count(*) FROM marts.indicators "
        "WHERE source_id = ? GROUP BY ALL",
        [LONG_ID],
    )
    assert {code for code, _, _ in found} == codes
    assert sum(n for *_, n in found) == len(rows)
    declared = declared_codes(raw_dir)
    for code, status, _ in found:
        expected = declared[code]["status"] if code in declared else None
        assert status == expected or (
            expected is None and status in ("iso_3166_1", "user_assigned")
        )
    values = steps.query(
        "SELECT country_iso3, edition_year, factor_code, score FROM marts.indicators "
        "WHERE source_id = ?",
        [LONG_ID],
    )
    assert sorted(values) == sorted((c, y, i, float(v)) for c, y, i, v in rows)


def test_without_the_crosswalk_the_unknown_codes_are_listed_once_each(tmp_path, records):
    raw_dir = copy_raw(tmp_path)
    rows = reshape_long(records)
    write_long_source(raw_dir / "indicators", rows, None)
    tables = [RAW_BY_NAME["iso3166_countries"], RAW_BY_NAME["countries"]]
    steps = run_steps(raw_dir, tmp_path, models=False, tables=tables, fetch=())
    messages = steps.failed()[(f"raw_indicators__{LONG_ID}", CHECK_ROWS)].splitlines()
    unknown = [m for m in messages if "known country code" in m]
    declared = declared_codes(raw_dir)
    assert len(unknown) == len(declared) == 7
    lines_of = {}
    for line, (code, *_) in enumerate(rows, start=2):
        lines_of.setdefault(code, []).append(line)
    for code, message in zip(sorted(declared), unknown, strict=True):
        lines = lines_of[code]
        assert re.search(
            rf"\(value: '{code}: {len(lines)} rows, lines {lines[0]}-{lines[-1]}'\)", message
        ), message
    assert sum(len(lines_of[c]) for c in declared) == sum(
        int(re.search(r": (\d+) rows", m).group(1)) for m in unknown
    )
