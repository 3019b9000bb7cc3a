"""exports/datapackage.json, checked with Frictionless: the descriptor itself (a valid Data
Package whose every field is typed and described, with keys, sources and terms), and the data of
every Parquet export by the standard validator's command line, `frictionless validate
<exports>/datapackage.json --json`, on the unmodified descriptor (run as a subprocess, so what a
user runs is what is tested; why the list and integer fields are described as they are is in
pipeline/transforms/publish/datapackage.py).

Rows: the suite's run reads every row of every export but marts.indicators' files, one per
source, and of those the first N (`--limit-rows`), N being the most rows another export holds
(`first_rows`; the test asserts the limit was reached on those files alone): every row of the
paper's tables, the first of WJP's and of V-Dem's. Frictionless 5.21's Parquet parser
hands pandas' rows over one cell at a time, about 0.85 ms a row: on an idle core the command
took 10.4 s with the limit at 3,861 rows (marts.wjp_rank_comparison's), against 27.4 s with
10,000 (`/usr/bin/time frictionless validate exports/datapackage.json --json --limit-rows N`,
2026-12-06). It reads all 132,232 rows of WJP's and V-Dem's files in 112 s;
`DATAPACKAGE_EVERY_ROW=1` runs that (test_the_validator_passes_every_row, otherwise
skipped with the reason in the summary). The descriptor's `required` fields and primary key
are also checked on every row of every export with pyarrow, in a fraction of a second.

The check can fail: a copy of the exports with every Parquet file broken (a value of the wrong
type, a null in every required field, a repeated primary key, a renamed column) beside the same
datapackage.json makes the validator report exactly those errors and exit 1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from frictionless import Package, Schema

from pipeline.lineage import build_graph
from pipeline.settings import MODELS_DIR, REPO_ROOT
from pipeline.transforms.publish.datapackage import LIST_NOTE, NUMBER_MISSING_VALUES

MART_NAMES = [m.name for m in build_graph(REPO_ROOT / "raw", MODELS_DIR).marts]
# Frictionless type -> the Arrow types that may hold it (`any` only for lists, see above).
ARROW_TYPES = {
    "string": pa.types.is_string,
    "integer": pa.types.is_integer,
    "number": lambda t: pa.types.is_floating(t) or pa.types.is_decimal(t),
    "boolean": pa.types.is_boolean,
    "date": pa.types.is_date,
    "any": lambda t: pa.types.is_list(t) or pa.types.is_large_list(t),
}
FRICTIONLESS = Path(sys.executable).with_name("frictionless")  # the venv's own command
BROKEN_ROWS = 50  # rows read of the broken copy: every corruption is in its first rows
EVERY_ROW = "DATAPACKAGE_EVERY_ROW"
NOT_OF_ITS_TYPE = "not-a-value-of-this-type"
RENAMED = "release_changes"  # the export whose last column the broken copy renames


@pytest.fixture(scope="module")
def exports(built) -> Path:
    return built.layout.root / "exports"


@pytest.fixture(scope="module")
def first_rows(exports) -> int:
    """The rows of each export the suite's validation reads: as many as the largest export
    outside indicators/ holds, so that only marts.indicators' files are read in part."""
    return max(pq.read_metadata(path).num_rows for path in exports.glob("*.parquet"))


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


def resources_of(descriptor: dict, mart: str) -> list[dict]:
    """A mart's resources: its file's, or one per source (marts.indicators, `indicators-<id>`)."""
    found = [r for r in descriptor["resources"] if r["name"].split("-", 1)[0] == mart]
    assert found, f"datapackage.json has no resource of {mart!r}"
    return found


def errors_of(report) -> list:
    return report.flatten(["rowNumber", "fieldName", "type", "note"])


def validate(descriptor_path: Path, limit_rows: int | None) -> tuple[int, dict]:
    """The validator's command line on a data package: its exit code and its JSON report."""
    command = [str(FRICTIONLESS), "validate", str(descriptor_path), "--json"]
    if limit_rows is not None:
        command += ["--limit-rows", str(limit_rows)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    assert done.stdout.strip(), f"no report (rc {done.returncode}): {done.stderr[-2000:]}"
    return done.returncode, json.loads(done.stdout)


def task_errors(task: dict) -> list[tuple]:
    return [(e.get("rowNumber"), e.get("fieldName"), e["type"]) for e in task["errors"]]


# --- the descriptor ------------------------------------------------------------------------------


def test_descriptor_is_a_valid_data_package(descriptor_path, descriptor):
    report = Package.validate_descriptor(str(descriptor_path))
    assert report.valid, errors_of(report)
    package = Package(str(descriptor_path))  # the library reads it back without complaint
    assert [r.name for r in package.resources] == [r["name"] for r in descriptor["resources"]]
    assert sorted({r["name"].split("-", 1)[0] for r in descriptor["resources"]}) == sorted(
        MART_NAMES
    )
    parts = [r["path"] for r in descriptor["resources"] if r["name"].startswith("indicators-")]
    assert parts == sorted(parts) and len(parts) >= 4  # the paper's two tables, WJP, V-Dem
    assert descriptor.get("title") and descriptor.get("description")


@pytest.mark.parametrize("name", MART_NAMES)
def test_resource_is_typed_described_keyed_sourced_and_licensed(name, descriptor, exports):
    for resource in resources_of(descriptor, name):
        check_resource(name, resource, exports)


def check_resource(name: str, resource: dict, exports: Path) -> None:
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
    """Each field as the file holds it; a list column is `any` and says so in its description;
    integer and number fields alone count pandas' NaN ("nan") as missing."""
    for resource in resources_of(descriptor, name):
        check_fields(name, resource, exports)


def check_fields(name: str, resource: dict, exports: Path) -> None:
    fields = resource["schema"]["fields"]
    arrow = pq.read_schema(exports / resource["path"])
    assert [f["name"] for f in fields] == arrow.names
    for field in fields:
        arrow_field = arrow.field(field["name"])
        assert ARROW_TYPES[field["type"]](arrow_field.type), (
            f"{name}.{field['name']}: descriptor says {field['type']}, Parquet holds "
            f"{arrow_field.type}"
        )
        assert field.get("constraints", {}).get("required", False) is not arrow_field.nullable
        # Descriptions agree with the ones in the Parquet file's own metadata.
        described = (arrow_field.metadata or {}).get(b"description", b"").decode()
        note = LIST_NOTE if field["type"] == "any" else ""
        assert field.get("description") == described + note, field["name"]
        numeric = field["type"] in ("integer", "number") and not pa.types.is_decimal(
            arrow_field.type
        )
        assert field.get("missingValues") == (NUMBER_MISSING_VALUES if numeric else None), field


# --- the data, by the validator's command line ---------------------------------------------------


def assert_every_resource_valid(descriptor: dict, exports: Path, limit_rows: int | None):
    rc, report = validate(exports / "datapackage.json", limit_rows)
    problems = {t["name"]: task_errors(t)[:10] for t in report["tasks"] if not t["valid"]}
    assert rc == 0 and report["valid"], (rc, problems, report.get("errors"))
    assert report["stats"]["errors"] == 0 and not report["errors"]
    assert [t["name"] for t in report["tasks"]] == [r["name"] for r in descriptor["resources"]]
    limited = set()
    for task, resource in zip(report["tasks"], descriptor["resources"], strict=True):
        assert task["valid"] and task["stats"]["errors"] == 0, task
        total = pq.read_metadata(exports / resource["path"]).num_rows
        assert total, f"{task['name']}: no rows"
        expected = total if limit_rows is None else min(total, limit_rows)
        assert task["stats"]["rows"] == expected, (task["name"], task["stats"], total)
        assert task["stats"]["fields"] == len(resource["schema"]["fields"])
        if expected < total:
            limited.add(task["name"])
            assert task["warnings"] == [f"reached row limit: {limit_rows}"], task["warnings"]
    return limited


def test_the_validator_passes_every_resource(descriptor, exports, first_rows):
    """rc 0 and every resource valid, every row read but past `first_rows` of indicators."""
    limited = assert_every_resource_valid(descriptor, exports, first_rows)
    # marts.indicators: one resource per source, WJP's and V-Dem's over the limit
    indicators = {name for name in limited if name.startswith("indicators-")}
    assert limited == indicators, f"the suite reads only part of {sorted(limited)}"
    # What the validator read holds the case the integers' missing values are for: a null
    # integer (pandas' NaN); every export but two holds lists.
    assert pq.read_table(exports / "timeline.parquet")["deaths_reported"].null_count


@pytest.mark.skipif(
    os.environ.get(EVERY_ROW) != "1",
    reason=f"the validator on every row of marts.indicators (WJP's and V-Dem's) takes 2 min; "
    f"{EVERY_ROW}=1 runs it (the suite's validation reads as many as the largest other "
    "export holds)",
)
def test_the_validator_passes_every_row(descriptor, exports):
    assert assert_every_resource_valid(descriptor, exports, None) == set()


@pytest.mark.parametrize("name", MART_NAMES)
def test_every_row_has_its_required_fields_and_a_unique_key(name, descriptor, exports):
    """The row constraints the descriptor declares, on every row (pyarrow), also the rows of
    indicators the suite's validation does not read."""
    schema = resources_of(descriptor, name)[0]["schema"]
    # marts.indicators: its files read together, as the README reads them
    table = pq.read_table(exports / (name if (exports / name).is_dir() else f"{name}.parquet"))
    required = [f["name"] for f in schema["fields"] if f.get("constraints", {}).get("required")]
    assert {c: table[c].null_count for c in required} == dict.fromkeys(required, 0)
    floats = [f.name for f in table.schema if pa.types.is_floating(f.type) and f.name in required]
    assert all(not pc.any(pc.is_nan(table[c])).as_py() for c in floats), floats
    keys = table.group_by(schema["primaryKey"]).aggregate([])
    assert keys.num_rows == table.num_rows, f"{name}: a primary key value repeats"


# --- the validation can fail ---------------------------------------------------------------------


def replaced(table: pa.Table, column: str, values: list, field: pa.Field) -> pa.Table:
    index = table.schema.get_field_index(column)
    return table.set_column(index, field, pa.array(values, field.type))


def break_rows(table: pa.Table, schema: dict) -> tuple[pa.Table, set[tuple]]:
    """The table with a string in its first typed field (row 3 to the validator, the header
    being row 1), a null in every required field outside the key (row 4), and its first row
    repeated (row 5); and the errors that makes."""
    assert table.num_rows >= 3, f"{schema}: too few rows to break"
    expected = set()
    key = set(schema["primaryKey"])
    typed = [f["name"] for f in schema["fields"] if f["type"] not in ("string", "any")]
    if typed:  # paper_claims holds only strings and lists (`any` reads anything)
        values = [None if v is None else str(v) for v in table[typed[0]].to_pylist()]
        values[1] = NOT_OF_ITS_TYPE
        table = replaced(table, typed[0], values, pa.field(typed[0], pa.string()))
        expected.add((3, typed[0], "type-error"))
    for field in schema["fields"]:
        name = field["name"]
        if field.get("constraints", {}).get("required") and name not in key:
            values = table[name].to_pylist()
            values[2] = None
            table = replaced(table, name, values, table.schema.field(name).with_nullable(True))
            expected.add((4, name, "constraint-error"))
    table = pa.concat_tables([table.slice(0, 3), table.slice(0, 1), table.slice(3)])
    expected.add((5, None, "primary-key"))
    return table, expected


def test_a_broken_export_fails_the_validator(descriptor, exports, tmp_path):
    """Every Parquet file of a copy broken, the same datapackage.json beside them: the
    validator exits 1 and reports, for each file, exactly the errors put in it."""
    broken = tmp_path / "exports"
    broken.mkdir()
    shutil.copyfile(exports / "datapackage.json", broken / "datapackage.json")
    expected = {}
    for resource in descriptor["resources"]:
        table = pq.read_table(exports / resource["path"])
        if resource["name"] == RENAMED:
            last = table.column_names[-1]
            assert last not in resource["schema"]["primaryKey"]
            table = table.rename_columns([*table.column_names[:-1], last + "_renamed"])
            expected[resource["name"]] = {(None, last, "incorrect-label")}
        else:
            table, expected[resource["name"]] = break_rows(table, resource["schema"])
        (broken / resource["path"]).parent.mkdir(exist_ok=True)
        pq.write_table(table, broken / resource["path"])
    assert (broken / "datapackage.json").read_bytes() == (exports / "datapackage.json").read_bytes()

    rc, report = validate(broken / "datapackage.json", BROKEN_ROWS)
    assert rc == 1 and not report["valid"], rc
    found = {t["name"]: set(task_errors(t)) for t in report["tasks"]}
    assert found == expected
    assert all(not t["valid"] for t in report["tasks"])


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
        assert f"{resource['path']}: " in descriptor["description"]
