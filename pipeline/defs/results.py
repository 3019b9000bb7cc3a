"""Outcomes of the pure step functions (transforms/outcome.py) as Dagster events: one
materialization per asset, with its table's row count, schema and preview, and one check result
per check, failure cases in the metadata.

Belongs here: that conversion. Stays out: computing outcomes.
"""

from __future__ import annotations

import dagster as dg

from pipeline.defs.metadata import problems_metadata, relation_metadata
from pipeline.transforms.outcome import Outcome


def outcome_events(con, outcome: Outcome, specs: dict, descriptions: dict):
    """The materialization and check results of one outcome. `specs` maps relations to their
    specs (for the UI's column schema); others get DuckDB's types and borrowed descriptions."""
    metadata = {k: _value(v) for k, v in outcome.metadata.items()}
    if outcome.relation:
        schema, name = outcome.relation.split(".", 1)
        metadata |= relation_metadata(con, schema, name, specs.get(outcome.relation), descriptions)
    yield dg.MaterializeResult(asset_key=outcome.asset_key, metadata=metadata)
    for check, problems in outcome.checks.items():
        yield dg.AssetCheckResult(
            asset_key=outcome.asset_key,
            check_name=check,
            passed=not problems,
            metadata=problems_metadata(problems),
        )
    for check, message in outcome.warnings.items():
        yield dg.AssetCheckResult(
            asset_key=outcome.asset_key,
            check_name=check,
            passed=not message,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"messages": dg.MetadataValue.text(message or "passed")},
        )


def _value(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return dg.MetadataValue.int(value)
    return "" if value is None else str(value)
