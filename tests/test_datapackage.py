"""exports/datapackage.json, checked with the Frictionless library: the descriptor itself (a
valid Data Package whose every field is typed and described, with keys, sources and terms),
and the data of every Parquet export against the schema the descriptor declares.

Why the data is read with pyarrow rather than by Frictionless' own Parquet parser: that parser
goes through pandas, which turns a nullable integer column with an empty cell into floats (NaN),
lists into numpy arrays, and loses the distinction between None and NaN. Validating what pandas
made of the file would test pandas' conversions, not the file: a correct INTEGER column with
one empty value would be reported as a type error, and a wrong file could be smoothed over.
pyarrow's to_pylist() keeps what the file holds (None, int, Python lists, datetime.date,
Decimal), so each resource's rows are handed to Frictionless as inline data
(Resource(data=[header, *rows], schema=<the descriptor's schema>)) and validated there: types,
required constraints, primary-key uniqueness and header names, by Frictionless' own checks.
Frictionless reads at most FRICTIONLESS_ROWS rows of an export (all of every export but the
largest); the row constraints the descriptor declares are also checked on every row, with pyarrow.
"""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from frictionless import Package, Resource, Schema

from pipeline.lineage import build_graph
from pipeline.settings import MODELS_DIR, REPO_ROOT

MART_NAMES = [m.name for m in build_graph(REPO_ROOT / "raw", MODELS_DIR).marts]
# Frictionless type -> the Arrow types that may hold it.
ARROW_TYPES = {
    "string": pa.types.is_string,
    "integer": pa.types.is_integer,
    "number": lambda t: pa.types.is_floating(t) or pa.types.is_decimal(t),
    "boolean": pa.types.is_boolean,
    "date": pa.types.is_date,
    "array": lambda t: pa.types.is_list(t) or pa.types.is_large_list(t),
}
NOT_OF_ITS_TYPE = "not-a-value-of-this-type"
SAMPLE_ROWS = 50  # corrupted copies are cut to this many rows (the indicators file is large)
FRICTIONLESS_ROWS = 10_000  # the rows of an export that Frictionless reads (see below)


@pytest.fixture(scope="module")
def exports(built) -> Path:
    return built.layout.root / "exports"


@pytest.fixture(scope="module")
def descriptor_path(exports) -> Path:
    path = exports / "datapackage.json"
    assert path.is_file(), f"the refresh wrote no {path}"
    return path


@pytest.fixture(scope="module")
def descriptor(descriptor_path) -> dict:
    return json.loads(descriptor_path.read_text(encoding="utf-8"))


def resource_of(descriptor: dict, name: str) -> dict:
    by_name = {r["name"]: r for r in descriptor["resources"]}
    assert name in by_name, f"datapackage.json has no resource {name!r} ({sorted(by_name)})"
    return by_name[name]


def inline_rows(path: Path, rows: int | None = None) -> tuple[list[str], list[list]]:
    """Header and rows (the first `rows`, or all) of a Parquet file as Python values (None,
    list, date, Decimal kept)."""
    table = pq.read_table(path)
    return inline(table if rows is None else table.slice(0, rows))


def inline(table: pa.Table) -> tuple[list[str], list[list]]:
    return table.column_names, [list(row.values()) for row in table.to_pylist()]


def spread(total: int, count: int) -> list[int]:
    """`count` row numbers spread evenly from the first row to the last (all when fewer)."""
    if total <= count:
        return list(range(total))
    return sorted({round(i * (total - 1) / (count - 1)) for i in range(count)})


def validate_inline(header: list[str], rows: list[list], schema: dict):
    resource = Resource(data=[header, *rows], schema=Schema.from_descriptor(schema))
    return resource.validate()


def errors_of(report) -> list:
    return report.flatten(["rowNumber", "fieldName", "type", "note"])


# --- the descriptor ------------------------------------------------------------------------------


def test_descriptor_is_a_valid_data_package(descriptor_path, descriptor):
    report = Package.validate_descriptor(str(descriptor_path))
    assert report.valid, errors_of(report)
    package = Package(str(descriptor_path))  # the library reads it back without complaint
    assert [r.name for r in package.resources] == [r["name"] for r in descriptor["resources"]]
    assert sorted(r["name"] for r in descriptor["resources"]) == sorted(MART_NAMES)
    assert descriptor.get("title") and descriptor.get("description")


@pytest.mark.parametrize("name", MART_NAMES)
def test_resource_is_typed_described_keyed_sourced_and_licensed(name, descriptor, exports):
    resource = resource_of(descriptor, name)
    assert resource.get("description", "").strip(), f"{name}: no description"
    schema = resource.get("schema")
    assert schema, f"{name}: no schema"
    report = Schema.validate_descriptor(schema)
    assert report.valid, errors_of(report)
    fields = schema["fields"]
    assert fields, f"{name}: schema has no fields"
    for field in fields:
        assert field.get("type") in ARROW_TYPES, f"{name}.{field.get('name')}: type {field}"
        assert field.get("description", "").strip(), f"{name}.{field['name']}: no description"
    key = schema.get("primaryKey")
    assert key, f"{name}: no primaryKey"
    assert set(key) <= {f["name"] for f in fields}, f"{name}: key {key} names unknown fields"
    sources = resource.get("sources")
    assert sources and all(s.get("title") and s.get("path") for s in sources), sources
    licenses = resource.get("licenses")
    assert licenses and all(lic.get("name") or lic.get("path") for lic in licenses), licenses
    assert all(lic.get("title") for lic in licenses), licenses
    path = exports / resource["path"]
    assert path.is_file(), f"{name}: {resource['path']} is not beside datapackage.json"


@pytest.mark.parametrize("name", MART_NAMES)
def test_descriptor_fields_match_the_parquet_schema(name, descriptor, exports):
    resource = resource_of(descriptor, name)
    fields = resource["schema"]["fields"]
    arrow = pq.read_schema(exports / resource["path"])
    assert [f["name"] for f in fields] == arrow.names
    for field in fields:
        arrow_type = arrow.field(field["name"]).type
        assert ARROW_TYPES[field["type"]](arrow_type), (
            f"{name}.{field['name']}: descriptor says {field['type']}, Parquet holds {arrow_type}"
        )
        # Descriptions agree with the ones in the Parquet file's own metadata.
        metadata = arrow.field(field["name"]).metadata or {}
        assert metadata.get(b"description", b"").decode() == field.get("description"), field["name"]


# --- the data ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", MART_NAMES)
def test_parquet_data_is_valid_against_the_descriptor(name, descriptor, exports):
    """Frictionless reads up to FRICTIONLESS_ROWS rows of each export: every row of all but
    marts.indicators, and of that one (132,232 rows with WJP's and V-Dem's files, about 5 s in
    Frictionless) rows spread from its first to its last. The descriptor's row constraints,
    required fields and a unique primary key, are then checked on every row with pyarrow."""
    resource = resource_of(descriptor, name)
    schema = resource["schema"]
    table = pq.read_table(exports / resource["path"])
    assert table.num_rows, f"{name}: no rows"
    header, rows = inline(table.take(spread(table.num_rows, FRICTIONLESS_ROWS)))
    report = validate_inline(header, rows, schema)
    task = report.tasks[0]
    assert report.valid and task.stats["errors"] == 0, errors_of(report)[:20]
    assert task.stats["rows"] == len(rows) == min(table.num_rows, FRICTIONLESS_ROWS)
    assert task.stats["fields"] == len(schema["fields"])
    required = [f["name"] for f in schema["fields"] if f.get("constraints", {}).get("required")]
    assert {c: table[c].null_count for c in required} == dict.fromkeys(required, 0)
    keys = table.group_by(schema["primaryKey"]).aggregate([])
    assert keys.num_rows == table.num_rows, f"{name}: a primary key value repeats"


def test_inline_rows_keep_python_values(exports):
    """The reason for reading with pyarrow: empty integers stay None, lists stay lists, money
    stays Decimal and dates stay dates."""
    _, rows = inline_rows(exports / "timeline.parquet")
    header = pq.read_schema(exports / "timeline.parquet").names
    deaths = [r[header.index("deaths_reported")] for r in rows]
    assert None in deaths and all(d is None or type(d) is int for d in deaths)
    assert all(type(r[header.index("country_iso3s")]) is list for r in rows)
    assert all(hasattr(r[header.index("event_date")], "isoformat") for r in rows)
    _, funding = inline_rows(exports / "funding.parquet")
    header = pq.read_schema(exports / "funding.parquet").names
    amounts = [r[header.index("amount_eur")] for r in funding]
    assert None in amounts and all(a is None or isinstance(a, Decimal) for a in amounts)


# --- the validation can fail ---------------------------------------------------------------------


def first_typed_field(fields: list[dict]) -> int:
    """Index of the first field whose type a string cannot satisfy."""
    for index, field in enumerate(fields):
        if field["type"] in ("integer", "number", "boolean", "date", "array"):
            return index
    raise AssertionError("no non-string field")


@pytest.mark.parametrize("name", MART_NAMES)
def test_a_corrupted_copy_is_reported_invalid(name, descriptor, exports):
    resource = resource_of(descriptor, name)
    schema = resource["schema"]
    header, rows = inline_rows(exports / resource["path"], SAMPLE_ROWS)
    # The sample is valid as it is: each error below comes from its corruption.
    assert validate_inline(header, rows, schema).valid

    # A string in a typed (integer, number, boolean, date or list) field.
    column = first_typed_field(schema["fields"])
    broken = copy.deepcopy(rows)
    broken[0][column] = NOT_OF_ITS_TYPE
    errors = errors_of(validate_inline(header, broken, schema))
    assert [2, header[column], "type-error"] in [e[:3] for e in errors], errors

    # A duplicated primary key.
    doubled = [*rows, list(rows[0])]
    errors = errors_of(validate_inline(header, doubled, schema))
    assert "primary-key" in {e[2] for e in errors}, errors

    # An empty required field.
    required = [
        i for i, f in enumerate(schema["fields"]) if f.get("constraints", {}).get("required")
    ]
    assert required, f"{name}: no required field"
    emptied = copy.deepcopy(rows)
    emptied[0][required[-1]] = None
    errors = errors_of(validate_inline(header, emptied, schema))
    assert "constraint-error" in {e[2] for e in errors}, errors

    # A descriptor that no longer matches the file (a field renamed).
    renamed = copy.deepcopy(schema)
    renamed["fields"][0]["name"] += "_renamed"
    renamed["primaryKey"] = [k for k in renamed["primaryKey"] if k != schema["fields"][0]["name"]]
    if not renamed["primaryKey"]:
        del renamed["primaryKey"]
    errors = errors_of(validate_inline(header, rows, renamed))
    assert "incorrect-label" in {e[2] for e in errors}, errors


def test_the_package_cites_every_primary_source_once_with_its_terms(descriptor, built):
    paths = [s["path"] for s in descriptor["sources"]]
    assert len(paths) == len(set(paths))
    ((vdem_url, vdem_citation, vdem_terms),) = built.query(
        "SELECT url, citation, license FROM raw.source_files WHERE asset_key = 'raw_vdem__ert'"
    )
    vdem = next(s for s in descriptor["sources"] if s["path"] == vdem_url)
    assert vdem["title"] == vdem_citation and "Coppedge" in vdem_citation
    assert vdem_terms in {t["title"] for t in descriptor["licenses"]}
    for resource in descriptor["resources"]:
        assert f"{resource['name']}.parquet: " in descriptor["description"]
