"""Code versions of assets: a short hash of what defines each asset (its SQL file, its table
spec, the module that computes it). The Dagster UI shows them, and a change of code version
marks the asset and everything downstream as changed.

Belongs here: computing those hashes. Stays out: Dagster definitions themselves.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pipeline import paths
from pipeline.schemas.spec import TableSpec

PIPELINE_DIR = Path(__file__).resolve().parents[1]


def spec_fingerprint(spec: TableSpec) -> str:
    """Everything about a spec that changes what the table holds or allows (not lambdas'
    memory addresses: checks are identified by their names)."""
    shape = {
        "fields": [(f.name, f.dtype, f.nullable, [c.name for c in f.checks]) for f in spec.fields],
        "key": list(spec.primary_key),
        "rules": [r.name for r in spec.row_rules],
    }
    return json.dumps(shape, sort_keys=True)


def code_version(*parts: str | Path | TableSpec) -> str:
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, TableSpec):
            digest.update(spec_fingerprint(part).encode())
        elif isinstance(part, Path):
            digest.update(part.read_bytes())
        else:
            digest.update(part.encode())
    return digest.hexdigest()[:12]


def sql_file(layer: str, name: str) -> Path:
    return paths.SQL_DIR / layer / f"{name}.sql"


def module_file(relative: str) -> Path:
    return PIPELINE_DIR / relative


def code_versions_of(asset_graph) -> dict[str, str]:
    """Every asset's code version, by asset key: what a published release was built with."""
    return {
        key.to_user_string(): asset_graph.get(key).code_version or ""
        for key in sorted(asset_graph.get_all_asset_keys(), key=lambda k: k.to_user_string())
    }
