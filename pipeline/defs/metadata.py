"""Dagster metadata built from table specs and summaries of the data: column schemas, row
counts, previews, failure cases, code references.

Belongs here: conversions to `dg.MetadataValue`. Stays out: computing the data itself.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import dagster as dg

from pipeline.schemas.spec import TableSpec
from pipeline.transforms.outcome import RelationSummary
from pipeline.transforms.problems import Problem, short_checksums

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


def code_references(*paths: Path) -> dict:
    """The files an asset is built from, which the UI opens (a model's SQL and spec)."""
    with warnings.catch_warnings():  # the classes are marked beta; the UI has shown them since 1.7
        warnings.simplefilter("ignore", dg.BetaWarning)
        references = [dg.LocalFileCodeReference(file_path=str(p.resolve())) for p in paths]
        value = dg.CodeReferencesMetadataValue(code_references=references)
    return {"dagster/code_references": value}


def preview_markdown(columns: list[str], rows) -> str:
    """A few rows as a Markdown table (empty cells for missing values)."""
    header = "| " + " | ".join(columns) + " |"
    rule = "|" + "---|" * len(columns)
    lines = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join([header, rule, *lines])


def _cell(value) -> str:
    text = "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")
    text = short_checksums(text)
    return text if len(text) <= 60 else text[:57] + "..."


def problems_metadata(problems: list[Problem]) -> dict:
    """Failure cases of a check: a count, a table (checksums cut short so that it fits its
    panel), and the messages in full as text."""
    listed = sorted(problems, key=Problem.sort_key)[:MAX_LISTED_PROBLEMS]
    records = [p.as_record() for p in listed]
    table = dg.MetadataValue.table(
        records=[
            dg.TableRecord({k: short_checksums("" if v is None else str(v)) for k, v in r.items()})
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
        "messages": dg.MetadataValue.text("\n".join(p.message() for p in listed) or "passed"),
    }


def summary_metadata(
    summary: RelationSummary, spec: TableSpec | None, descriptions: dict[str, str]
) -> dict:
    """Row count, column schema and a preview of a warehouse relation. The schema is the
    relation's spec where it has one; otherwise DuckDB's types with descriptions borrowed from
    the specs by column name (a raw relation without a spec of its own: raw.indicator_values)."""
    names = [name for name, _ in summary.columns]
    schema = (
        column_schema(spec)
        if spec
        else dg.TableSchema(
            columns=[
                dg.TableColumn(name=name, type=kind, description=descriptions.get(name, ""))
                for name, kind in summary.columns
            ]
        )
    )
    return {
        "dagster/row_count": dg.MetadataValue.int(summary.row_count),
        "dagster/column_schema": schema,
        "dagster/relation_identifier": summary.relation,
        "preview": dg.MetadataValue.md(preview_markdown(names, summary.preview)),
    }


def known_descriptions(specs) -> dict[str, str]:
    """Column descriptions by name, from the given specs (the first one to describe a column
    wins: pass the marts first, their public meaning comes first)."""
    descriptions: dict[str, str] = {}
    for spec in specs:
        for f in spec.fields:
            descriptions.setdefault(f.name, f.description)
    return descriptions
