"""The Frictionless Data Package (datapackage.json) that describes the Parquet exports for
downstream users: each file's fields, types, descriptions, primary key, sources and terms.
Sources and terms are the mart's provenance (the files and downloads upstream of it, with
their origin records' licences), never a hand-kept list.

The descriptor passes the standard validator unmodified (`frictionless validate
exports/datapackage.json`, frictionless 5.21 and its Parquet plugin) on every row of every file.
That plugin reads a Parquet file with pyarrow, converts it to pandas and validates the cells
pandas gives, which decides two things here:

- A list (Parquet LIST<VARCHAR>) reaches the validator as a numpy array, which neither Table
  Schema list type accepts (`array` takes a Python list or JSON text, `list` a Python list or
  delimited text): every cell would be a type error. A list column is therefore typed `any`,
  the only type that reads it, and its description says that it holds a list of strings and
  why it is `any`. `required` still applies (a missing list fails; an empty list is a value).
- A null in an integer column reaches it as the float NaN (pandas turns an integer column with
  a null into floats), which the `integer` type rejects. Integer and float fields therefore
  declare their own missing values (a field-level `missingValues`, which frictionless 5 reads):
  the default `""` and `"nan"`, NaN's text. A nullable integer then validates and a required one
  with a null fails its `required` constraint. A Parquet INTEGER cannot hold NaN, so no value is
  lost; for floats the pipeline already counts NaN as missing (schemas/spec.py). Other fields
  keep the default: in a string column "nan" is text.

Everything else is typed as the Parquet file holds it and checked by the validator: each
field's type, `required`, the primary key's uniqueness and the header.

Belongs here: building the descriptor from the mart specs and provenance (a pure function).
Stays out: writing files, Dagster.
"""

from __future__ import annotations

import hashlib

from pipeline.schemas.spec import BOOL, DATE, DECIMAL, FLOAT, INT, LIST, STRING, TableSpec

FRICTIONLESS_TYPES = {
    STRING: "string",
    INT: "integer",
    BOOL: "boolean",
    DATE: "date",
    DECIMAL: "number",
    LIST: "any",  # see the module's docstring
    FLOAT: "number",
}


# What a list column's description adds in the descriptor (the Parquet metadata keeps the
# description alone).
LIST_NOTE = (
    " Holds a list of strings (Parquet LIST<VARCHAR>); typed `any` here because Frictionless"
    " reads Parquet lists as numpy arrays, which its `array` and `list` types reject."
)
# The default missing value and pandas' NaN as text: how a null of a Parquet integer or float
# column reaches the validator.
NUMBER_MISSING_VALUES = ["", "nan"]


def field_descriptor(field) -> dict:
    descriptor = {
        "name": field.name,
        "type": FRICTIONLESS_TYPES[field.dtype],
        "description": field.description + (LIST_NOTE if field.dtype == LIST else ""),
    }
    if field.dtype in (INT, FLOAT):
        descriptor["missingValues"] = list(NUMBER_MISSING_VALUES)
    if not field.nullable:
        descriptor["constraints"] = {"required": True}
    return descriptor


def _terms(sources: list[dict]) -> list[dict]:
    """One entry per distinct licence text of the upstream sources, named by its digest."""
    texts = sorted({s["license"] for s in sources if s.get("license")})
    return [
        {"name": "terms-" + hashlib.sha256(t.encode()).hexdigest()[:8], "title": t} for t in texts
    ]


def resource_descriptor(spec: TableSpec, sources: list[dict], part: str | None = None) -> dict:
    """A mart's resource, its file `<mart>.parquet`; or, with `part` (a source id), the file of
    that source's rows of a mart exported one file per source (`<mart>/<part>.parquet`, the
    resource `<mart>-<part>`: the validator reads one file per resource)."""
    name, path, description = spec.name, f"{spec.name}.parquet", spec.description
    if part is not None:
        name, path = f"{spec.name}-{part}", f"{spec.name}/{part}.parquet"
        description = f"The rows of source_id '{part}' of marts.{spec.name}. {description}"
    return {
        "name": name,
        "path": path,
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "description": description,
        "schema": {
            "fields": [field_descriptor(f) for f in spec.fields],
            "primaryKey": list(spec.primary_key),
        },
        "sources": [
            {"title": s["citation"] or s["path"], "path": s["url"] or s["path"]} for s in sources
        ],
        "licenses": _terms(sources),
    }


def package_descriptor(resources: list[dict]) -> dict:
    """The package: its description lists each file by the first sentence of its own; its
    sources and terms are the union of the files' (every primary source cited once)."""
    listed = "; ".join(
        f"{r['path']}: {_first_sentence(r['description'])}"
        for r in sorted(resources, key=lambda r: r["name"])
    )
    sources = {s["path"]: s for r in resources for s in r.get("sources", [])}
    terms = {t["name"]: t for r in resources for t in r.get("licenses", [])}
    return {
        "name": "central-asia-eu-human-rights-indicators",
        "title": "Human-rights indicators for Central Asia and the EU",
        "description": "The marts of the warehouse as Parquet, one file per mart (indicators: "
        "one file per source, in the folder indicators/, read together as one table), each "
        f"with its sources and terms: {listed}.",
        "sources": [sources[path] for path in sorted(sources)],
        "licenses": [terms[name] for name in sorted(terms)],
        "resources": resources,
    }


def _first_sentence(text: str) -> str:
    head = text.split(". ", 1)[0].strip()
    return head.rstrip(".")
