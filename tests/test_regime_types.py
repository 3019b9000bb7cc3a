"""V-Dem's regime type comes with its name. raw/reference/vdem_regime_types.csv (V-Dem's
codebook, with its origin record) is the one place the names are written: marts.indicators
labels every regime-type row with the name of its code (value_label) and builds the rows'
factor_name from it, marts.paper_claims names regime types with it in its evidence, and a
blocking check refuses a regime-type row left without a name.
"""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
import pytest

from pipeline.settings import REPO_ROOT
from pipeline.transforms import report
from pipeline.transforms.models.run import CHECK_SCHEMA
from tests.harness import copy_raw, edit_csv, run_steps

REFERENCE = "reference/vdem_regime_types.csv"
# V-Dem Codebook v15, v2x_regime: Regimes of the World's four types (lower case, as the project
# writes them).
EXPECTED = {
    0: "closed autocracy",
    1: "electoral autocracy",
    2: "electoral democracy",
    3: "liberal democracy",
}
REGIME_ROWS = "source_id = 'vdem_ert' AND factor_code = 'v2x_regime'"
RULE = "V-Dem's regime-type rows, and only they, carry a value_label"


def committed_names() -> dict[int, str]:
    with (REPO_ROOT / "raw" / REFERENCE).open(encoding="utf-8", newline="") as handle:
        return {int(row["v2x_regime"]): row["regime_type"] for row in csv.DictReader(handle)}


def test_the_reference_names_the_four_types_of_v_dems_codebook():
    assert committed_names() == EXPECTED


def test_every_regime_type_row_carries_the_name_of_its_code(built):
    found = built.query(
        f"SELECT CAST(score AS INTEGER), value_label, count(*) FROM marts.indicators "  # noqa: S608
        f"WHERE {REGIME_ROWS} GROUP BY ALL ORDER BY 1, 2"
    )
    assert [(code, label) for code, label, _ in found] == sorted(EXPECTED.items())
    assert all(count > 0 for *_, count in found)


def test_each_country_year_of_v_dem_has_its_label(built):
    """Every country-year V-Dem codes, and only those, has one labelled row with its code."""
    pairs = built.query(
        "SELECT ert.v2x_regime, mart.value_label, count(*) FROM raw.vdem_ert AS ert "
        "FULL JOIN (SELECT * FROM marts.indicators "
        "WHERE source_id = 'vdem_ert' AND factor_code = 'v2x_regime') AS mart "
        "ON mart.country_iso3 = ert.country_text_id AND mart.edition_year = ert.year "
        "WHERE ert.v2x_regime IS NOT NULL OR mart.score IS NOT NULL GROUP BY ALL ORDER BY 1"
    )
    assert {code: label for code, label, _ in pairs} == EXPECTED
    assert len(pairs) == len(EXPECTED)  # no code with two labels, no row without a label
    in_file = built.query("SELECT count(v2x_regime) FROM raw.vdem_ert")[0][0]
    assert sum(count for *_, count in pairs) == in_file > 19_000


@pytest.mark.parametrize(
    ("country", "year", "label"),
    [("KAZ", 2022, "electoral autocracy"), ("TKM", 2022, "closed autocracy")],
)
def test_known_country_years(built, country, year, label):
    """shared/data/vdem/SOURCE.md: in 2022, KAZ has regime 1 and TKM regime 0."""
    found = built.query(
        f"SELECT score, value_label FROM marts.indicators WHERE {REGIME_ROWS} "  # noqa: S608
        "AND country_iso3 = ? AND edition_year = ?",
        [country, year],
    )
    assert found == [(float({v: k for k, v in EXPECTED.items()}[label]), label)]


def test_only_regime_type_rows_have_a_label(built):
    others = built.query(
        "SELECT source_id, factor_code, count(*) FROM marts.indicators "  # noqa: S608
        f"WHERE value_label IS NOT NULL AND NOT ({REGIME_ROWS}) GROUP BY ALL"
    )
    assert others == []


def test_factor_name_lists_the_codes_from_the_same_table(built):
    names = built.query(
        f"SELECT DISTINCT factor_name FROM marts.indicators WHERE {REGIME_ROWS}"  # noqa: S608
    )
    listed = ", ".join(f"{code} {name}" for code, name in sorted(EXPECTED.items()))
    assert names == [(f"Regimes of the World ({listed})",)]


def test_the_export_describes_the_label_and_cites_the_reference(built):
    """The names are in the export's rows and its description points at the one place they
    are written, which the export's provenance cites; the description lists none of them."""
    export = built.layout.root / "exports" / "indicators" / "vdem_ert.parquet"  # one per source
    schema = pq.read_schema(export)
    description = schema.field("value_label").metadata[b"description"].decode()
    assert f"raw/{REFERENCE}" in description
    assert not any(name in description for name in EXPECTED.values()), description
    sources = json.loads(schema.metadata[b"provenance"])["sources"]
    assert f"raw/{REFERENCE}" in {source["path"] for source in sources}
    labels = pq.read_table(export, columns=["value_label"]).column("value_label").to_pylist()
    assert set(labels) - {None} == set(EXPECTED.values())


def test_paper_claims_name_regime_types_from_the_same_table(built):
    evidence = " ".join(e for (e,) in built.query("SELECT evidence FROM marts.paper_claims"))
    assert "v2x_regime 1 (electoral autocracy)" in evidence


def test_the_reports_legend_uses_the_same_names():
    """The report reads the names from the same file (no list of its own to drift)."""
    assert report.inputs.vocabulary_from_files().regimes == committed_names()


def test_a_code_without_a_name_is_refused(tmp_path, source_urls):
    raw_dir = copy_raw(tmp_path)
    edit_csv(raw_dir / REFERENCE, "3,liberal democracy\n", "")
    steps = run_steps(raw_dir, tmp_path, dict(source_urls), marts=("indicators",))
    failed = steps.failed()
    assert set(failed) == {("mart_indicators", CHECK_SCHEMA)}, failed
    assert RULE in failed[("mart_indicators", CHECK_SCHEMA)]
