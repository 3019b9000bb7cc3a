"""Where the project's descriptions name warehouse tables (`marts.funding`, `raw.sources`,
`staging.stg_wjp__ranks`, `exports/funding.parquet`), so that a test can hold every such name
to the tables a refresh really builds: a description never points at a table that is not there.

The descriptions are those of every table and column in the data dictionary (the raw specs,
the download and provenance specs, the model YAML and the staging models' leading comments) and
every text of the origin records (`raw/**/*.meta.yml`).

Belongs here: the pattern and the gathering of descriptions. Stays out: the warehouse (tests
compare with a built one), rendering (data_dictionary.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pipeline.schemas import parse_yaml
from pipeline.transforms.publish.data_dictionary import sections

# `schema.table`, not inside a path, URL or host name (raw.githubusercontent.com, schemas/raw.py),
# nor a file name (raw.py); or an export's file, `exports/<mart>.parquet`.
TABLE = re.compile(
    r"(?<![\w/.-])(?P<schema>raw|staging|marts)\.(?!(?:py|sql|yml|yaml|csv|json|md)\b)"
    r"(?P<table>[a-z_][a-z0-9_]*)(?![\w-]*\.(?:com|org|io|net)\b)"
    r"|(?<![\w.-])exports/(?P<export>[a-z_][a-z0-9_]*)\.parquet"
)


def mentions(text: str) -> list[str]:
    """The tables a text names: "schema.table", or "exports/<name>.parquet"."""
    found = []
    for match in TABLE.finditer(text):
        if match["export"]:
            found.append(f"exports/{match['export']}.parquet")
        else:
            found.append(f"{match['schema']}.{match['table']}")
    return found


def descriptions(raw_dir: Path, models_dir: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every description of a table spec or an origin record."""
    for section in sections(models_dir):
        for table in section.tables:
            yield f"{table.relation} (description)", table.description
            for field in table.spec.fields if table.spec else ():
                yield f"{table.relation}.{field.name} (description)", field.description
    for record in sorted(raw_dir.rglob("*.meta.yml")):
        document = parse_yaml(record.read_text(encoding="utf-8"))
        yield from _texts(document, record.relative_to(raw_dir.parent).as_posix())


def _texts(value, where: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(item, f"{where}: {key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, f"{where}[{index}]")
    elif isinstance(value, str):
        yield where, value
