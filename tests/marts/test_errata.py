"""Errata are keyed by each target mart's declared primary key (pipeline/transforms/
mart_checks.py): the marts an erratum may point at are one vocabulary (schemas/fields.py,
ERRATA_TARGETS, the rule of raw.errata.target_mart and marts.errata.target_mart), and the key
an erratum writes is the values of that mart's primary key, read from its YAML, '/'-joined."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from pipeline.schemas.fields import ERRATA_TARGETS
from pipeline.schemas.raw import RAW_BY_NAME
from pipeline.settings import MODELS_DIR, REPO_ROOT
from pipeline.transforms.models.discover import discover
from pipeline.transforms.models.mart_checks import row_key, target_specs
from tests.bad_inputs import add_source
from tests.harness import copy_raw, edit_csv, run_steps

CHECK = ("mart_errata", "every_erratum_has_a_target")


def committed_errata() -> list[dict]:
    with open(REPO_ROOT / "raw/reference/errata.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_target_is_a_mart_that_carries_errata_and_keys_by_its_primary_key():
    specs = target_specs(MODELS_DIR / "marts")
    assert set(specs) == set(ERRATA_TARGETS)
    for mart, spec in specs.items():
        assert "erratum" in spec.column_names, f"marts.{mart} has no erratum column"
        assert row_key(spec) == "concat_ws('/', {})".format(
            ", ".join(f'"{c}"' for c in spec.primary_key)
        )
    for erratum in committed_errata():  # every committed key has one part per key column
        key_columns = specs[erratum["target_mart"]].primary_key
        assert len(erratum["target_key"].split("/")) == len(key_columns), erratum["erratum_id"]


def test_the_target_vocabulary_is_declared_once():
    raw = RAW_BY_NAME["errata"].spec.field("target_mart")
    mart = next(m for m in discover(MODELS_DIR) if m.name == "errata").spec.field("target_mart")
    assert raw.rules == mart.rules and raw.rules[0].params == (ERRATA_TARGETS,)


def refused(raw_dir: Path, base: Path, models_dir: Path = MODELS_DIR) -> str:
    """The messages of the errata check, built with every target mart."""
    steps = run_steps(raw_dir, base, marts=("errata", *ERRATA_TARGETS), models_dir=models_dir)
    failed = steps.failed()
    assert set(failed) <= {CHECK}, failed
    return failed.get(CHECK, "")


def retarget(raw_dir: Path, erratum: dict, mart: str, key: str) -> None:
    old = f"{erratum['erratum_id']},{erratum['kind']},{erratum['target_mart']},"
    edit_csv(
        raw_dir / "reference/errata.csv",
        f"{old}{erratum['target_key']},",
        f"{erratum['erratum_id']},{erratum['kind']},{mart},{key},",
    )


def test_an_erratum_whose_row_does_not_exist_is_refused_naming_it(tmp_path):
    raw_dir = copy_raw(tmp_path)
    erratum = next(e for e in committed_errata() if e["target_mart"] == "timeline")
    retarget(raw_dir, erratum, "timeline", "ev_2019_no_such_event")
    messages = refused(raw_dir, tmp_path)
    assert f"row {erratum['erratum_id']}, column 'target_key'" in messages
    assert "timeline: ev_2019_no_such_event" in messages


def test_an_erratum_on_a_row_that_takes_none_is_refused(tmp_path):
    """A long-format source's row of marts.indicators exists but carries no errata (only the
    paper's cells do): an erratum pointing at it would be shown nowhere."""
    raw_dir = copy_raw(tmp_path)
    add_source("hr_test")(raw_dir)  # KAZ, 2022, x_index
    erratum = next(e for e in committed_errata() if e["target_mart"] == "timeline")
    key = "hr_test/KAZ/2022/x_index/global"
    retarget(raw_dir, erratum, "indicators", key)
    assert f"indicators: {key}" in refused(raw_dir, tmp_path)


def test_the_key_is_the_primary_key_the_mart_declares(tmp_path):
    """Declare timeline's key as (event_id, event_date): the committed errata, keyed by the
    event alone, are refused, one by one."""
    models_dir = tmp_path / "sql"
    shutil.copytree(MODELS_DIR, models_dir)
    spec = models_dir / "marts/timeline.yml"
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("primary_key: [event_id]", "primary_key: [event_id, event_date]"))
    assert refused(copy_raw(tmp_path), tmp_path / "before") == ""
    messages = refused(tmp_path / "raw", tmp_path / "after", models_dir)
    timeline = [e for e in committed_errata() if e["target_mart"] == "timeline"]
    assert timeline and all(f"row {e['erratum_id']}," in messages for e in timeline)
    assert messages.count("\n") + 1 == len(timeline)
