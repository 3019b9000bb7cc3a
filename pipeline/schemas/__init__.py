"""Table specs: the one definition of each table's columns (pandera, DuckDB, Parquet).

Belongs here too: `parse_yaml`, the one YAML parser of the project's declarations (model specs,
origin records), so that every one is read the same safe and fast way.
"""

from __future__ import annotations

import yaml

# libyaml's parser when PyYAML was built with it (the wheels are): ten times faster.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str | bytes):
    """YAML, safely (no object construction), with the fast parser."""
    return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)
