"""`make bench` compares the pipeline with a same-output DuckDB script (benchmarks/reference.py),
which writes marts.indicators' columns by hand: it must know every column the mart has, or the
bench fails only when someone runs it (as it did when `value_label` was added)."""

from __future__ import annotations

from benchmarks.reference import MART_COLUMNS
from pipeline.schemas.model_specs import load_model_spec
from pipeline.settings import MODELS_DIR


def test_the_reference_script_writes_every_column_of_the_indicators_mart():
    mart = load_model_spec(MODELS_DIR / "marts" / "indicators.yml", "indicators")[0]
    assert [f.name for f in mart.fields if f.name not in MART_COLUMNS] == []
    assert sorted(set(MART_COLUMNS) - {f.name for f in mart.fields}) == []
