"""A mart's own checks are SQL files beside it, returning the failing rows
(pipeline/transforms/models/mart_checks.py): a file dropped beside a mart runs as a blocking
check of that mart, named by the file and described by its leading comment, each row a Problem;
a file that breaks the convention is refused, naming it. The committed checks' own refusals are
tested with their marts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.asset_versions import asset_versions
from pipeline.defs.assets.models import model_specs
from pipeline.lineage import build_graph
from pipeline.settings import MODELS_DIR, REPO_ROOT
from pipeline.transforms.models.discover import ModelError, discover
from pipeline.transforms.models.mart_checks import MartCheckError
from tests.harness import copy_raw, run_steps

NAMED = """-- Each country has a name other than the first one's (a check written for a test).
select
    {{ row_key }} as row_key,
    country_name as value,
    'country_name' as "column",
    'a country is not the first' as rule
from marts.countries
where country_iso3 = (select min(country_iso3) from marts.countries)
"""


def models_with(tmp_path: Path, files: dict[str, str]) -> Path:
    models_dir = tmp_path / "sql"
    shutil.copytree(MODELS_DIR, models_dir)
    for name, text in files.items():
        (models_dir / "marts" / name).write_text(text, encoding="utf-8")
    return models_dir


def test_a_check_file_beside_a_mart_is_a_blocking_check_of_it(tmp_path):
    models_dir = models_with(tmp_path, {"countries.not_the_first.check.sql": NAMED})
    steps = run_steps(copy_raw(tmp_path), tmp_path, marts=("countries",), models_dir=models_dir)
    ((iso3, name),) = steps.query(
        "SELECT country_iso3, country_name FROM marts.countries ORDER BY 1 LIMIT 1"
    )
    assert steps.failed() == {
        ("mart_countries", "not_the_first"): f"marts.countries, row {iso3}, column "
        f"'country_name': rule 'a country is not the first' failed (value: '{name}')"
    }
    _, checks = model_specs(build_graph(REPO_ROOT / "raw", models_dir))
    (spec,) = [c for c in checks if c.name == "not_the_first"]
    assert spec.blocking and spec.asset_key.path == ["mart_countries"]
    assert spec.description == NAMED.splitlines()[0].removeprefix("-- ")


def test_editing_a_check_changes_the_version_of_its_mart_and_downstream_only(tmp_path):
    models_dir = models_with(tmp_path, {})
    check = models_dir / "marts/references.no_verified_reference_has_an_erratum.check.sql"
    check.write_text(check.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    committed = build_graph(REPO_ROOT / "raw", MODELS_DIR)
    before, after = (
        asset_versions(committed),
        asset_versions(build_graph(REPO_ROOT / "raw", models_dir)),
    )
    changed = {key for key, version in after.items() if version != before[key]}
    assert changed == {"mart_references"} | committed.downstream("mart_references")


def test_a_check_file_is_not_a_model():
    marts = {m.name for m in discover(MODELS_DIR) if m.layer == "marts"}
    checks = {p.name.split(".")[0] for p in (MODELS_DIR / "marts").glob("*.check.sql")}
    assert checks and checks <= marts
    assert not any("." in name for name in marts)


def test_a_check_of_no_mart_is_refused_naming_its_file(tmp_path):
    models_dir = models_with(tmp_path, {"country.not_the_first.check.sql": NAMED})
    with pytest.raises(ModelError, match="country.not_the_first.check.sql: a check of a mart"):
        discover(models_dir)


@pytest.mark.parametrize(
    ("edit", "refusal"),
    [
        (("'a country is not the first' as rule", "1 as severity"), r"missing: \['rule'\]"),
        (("{{ row_key }}", "{{ key }}"), r"unknown placeholder \{\{ key \}\}"),
        (("-- Each", "/* Each */ --"), "starts with a `--` comment"),
    ],
    ids=["no rule column", "unknown placeholder", "no description"],
)
def test_a_check_that_breaks_the_convention_is_refused_naming_its_file(tmp_path, edit, refusal):
    models_dir = models_with(tmp_path, {"countries.not_the_first.check.sql": NAMED.replace(*edit)})
    with pytest.raises(MartCheckError, match=rf"countries.not_the_first.check.sql: .*{refusal}"):
        run_steps(copy_raw(tmp_path), tmp_path, marts=("countries",), models_dir=models_dir)
