"""Dagster metadata built from table specs and data: column schemas, row counts, previews,
failure cases.

Belongs here: conversions to `dg.MetadataValue`. Stays out: computing the data itself.
"""

from __future__ import annotations

import dagster as dg

from pipeline.schemas.spec import TableSpec, qualified
from pipeline.transforms.problems import Problem

PREVIEW_ROWS = 5  # enough to recognise a table in the UI without flooding the event log
MAX_LISTED_PROBLEMS = 200


def column_schema(spec: TableSpec) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(
                name=f.name,
                type=f.duckdb_type,
                description=f.description,
                constraints=dg.TableColumnConstraints(nullable=f.nullable),
            )
            for f in spec.fields
        ]
    )


def spec_metadata(spec: TableSpec) -> dict:
    """Static metadata shown on the asset definition."""
    return {
        "dagster/column_schema": column_schema(spec),
        "primary_key": ", ".join(spec.primary_key),
    }


def preview_markdown(columns: list[str], rows: list[tuple]) -> str:
    """A few rows as a Markdown table (empty cells for missing values)."""
    header = "| " + " | ".join(columns) + " |"
    rule = "|" + "---|" * len(columns)
    lines = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows[:PREVIEW_ROWS]]
    return "\n".join([header, rule, *lines])


def _cell(value) -> str:
    text = "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "..."


def problems_metadata(problems: list[Problem]) -> dict:
    """Failure cases of a check: a count, a table, and the messages as text."""
    listed = sorted(problems, key=Problem.sort_key)[:MAX_LISTED_PROBLEMS]
    records = [p.as_record() for p in listed]
    table = dg.MetadataValue.table(
        records=[
            dg.TableRecord({k: ("" if v is None else str(v)) for k, v in r.items()})
            for r in records
        ],
        schema=dg.TableSchema(
            columns=[
                dg.TableColumn("file", "string"),
                dg.TableColumn("line", "string"),
                dg.TableColumn("column", "string"),
                dg.TableColumn("rule", "string"),
                dg.TableColumn("value", "string"),
            ]
        ),
    )
    return {
        "failure_count": dg.MetadataValue.int(len(problems)),
        "failure_cases": table,
        "messages": dg.MetadataValue.text("\n".join(p.message() for p in listed)),
    }


def relation_metadata(
    con, schema: str, name: str, spec: TableSpec | None, descriptions: dict[str, str]
) -> dict:
    """Row count, column schema and a preview of a warehouse table, read with SQL (it may be
    too large for pandas). The schema is the table's spec where it has one; otherwise DuckDB's
    types with descriptions borrowed from the specs by column name (staging models)."""
    relation = qualified(schema, name)
    preview = con.execute(f"SELECT * FROM {relation} LIMIT {PREVIEW_ROWS}")  # noqa: S608
    columns, rows = [d[0] for d in preview.description], preview.fetchall()
    count = con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0]  # noqa: S608
    return {
        "dagster/row_count": dg.MetadataValue.int(count),
        "dagster/column_schema": column_schema(spec)
        if spec
        else _described_schema(con, relation, descriptions),
        "dagster/relation_identifier": relation,
        "preview": dg.MetadataValue.md(preview_markdown(columns, rows)),
    }


def known_descriptions(specs) -> dict[str, str]:
    """Column descriptions by name, from the given specs (the first one to describe a column
    wins: pass the marts first, their public meaning comes first)."""
    descriptions: dict[str, str] = {}
    for spec in specs:
        for f in spec.fields:
            descriptions.setdefault(f.name, f.description)
    return descriptions


def _described_schema(con, relation: str, descriptions: dict[str, str]) -> dg.TableSchema:
    return dg.TableSchema(
        columns=[
            dg.TableColumn(name=row[0], type=row[1], description=descriptions.get(row[0], ""))
            for row in con.execute(f"DESCRIBE {relation}").fetchall()
        ]
    )
