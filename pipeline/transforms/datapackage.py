"""The Frictionless Data Package (datapackage.json) that describes the Parquet exports for
downstream users: each file's fields, types, descriptions, primary key, sources and licence.

Belongs here: building the descriptor from the mart specs and provenance (a pure function).
Stays out: writing files, Dagster.
"""

from __future__ import annotations

from pipeline.schemas.spec import BOOL, DATE, DECIMAL, FLOAT, INT, LIST, STRING, TableSpec

FRICTIONLESS_TYPES = {
    STRING: "string", INT: "integer", BOOL: "boolean", DATE: "date", DECIMAL: "number",
    LIST: "array", FLOAT: "number",
}  # fmt: skip
PAPER_TERMS = {
    "name": "paper-transcription",
    "title": "Facts transcribed from Malgazhdarova et al., 'The European Union and Central Asian "
    "Countries' Activities in the Field of Human Rights' for research use; the article's own "
    "licence is not stated in the text the project holds.",
}
WJP_TERMS = {
    "name": "wjp-no-licence-stated",
    "path": "https://github.com/worldjusticeproject/roli-country-profiles",
    "title": "Rows with source_id 'wjp_roli': the data remains the property of the World Justice "
    "Project; its repository states no licence.",
}
PUBLIC_SOURCES_TERMS = {
    "name": "public-sources",
    "title": "Funding figures quoted from public pages of EU institutions and the press (see "
    "source_url on each row).",
}
TERMS_BY_MART = {
    "indicators": [PAPER_TERMS, WJP_TERMS],
    "funding": [PAPER_TERMS, PUBLIC_SOURCES_TERMS],
    "timeline": [PAPER_TERMS],
    "references": [PAPER_TERMS],
    "countries": [PAPER_TERMS],
}


def field_descriptor(field) -> dict:
    descriptor = {
        "name": field.name,
        "type": FRICTIONLESS_TYPES[field.dtype],
        "description": field.description,
    }
    if not field.nullable:
        descriptor["constraints"] = {"required": True}
    return descriptor


def resource_descriptor(spec: TableSpec, provenance: dict) -> dict:
    return {
        "name": spec.name,
        "path": f"{spec.name}.parquet",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "description": spec.description,
        "schema": {
            "fields": [field_descriptor(f) for f in spec.fields],
            "primaryKey": list(spec.primary_key),
        },
        "sources": [
            {"title": raw["citation"] or raw["path"], "path": raw["url"] or raw["path"]}
            for raw in provenance["raw_files"]
        ],
        "licenses": TERMS_BY_MART.get(spec.name, [PAPER_TERMS]),
    }


def package_descriptor(resources: list[dict]) -> dict:
    return {
        "name": "central-asia-eu-human-rights-indicators",
        "title": "Human-rights indicators for Central Asia and the EU",
        "description": "The marts of the warehouse as Parquet: WJP Rule of Law Index ranks "
        "(the paper's Tables 1 and 2, verified against WJP's own data), EU funding 2014-2020 "
        "claims, the paper's timeline of events, its references, and countries.",
        "resources": resources,
    }
