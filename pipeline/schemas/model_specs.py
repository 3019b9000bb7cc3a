"""Table specs written as YAML beside a model's SQL (dbt's model properties): `sql/marts/x.yml`
describes `marts.x`, column by column. A column is a shared field by name (`- country_iso3`), a
shared field described for this table (`- {shared: rank, description: ...}`), the column of the
same name of another table (`- raw.funding_claims.currency`, or `- {same_as: marts.funding.
source_id, nullable: true}`: its type, rules and description, kept where it is defined), or a
full definition with its type and rules. Rules are data (`{one_of: [a, b]}`, `{between: [0,
1]}`), compiled like every other rule (schemas/rules.py).

`validated_in: marts.x` (a staging model's only) says its rows are validated once, in the mart
x, when a build builds both: x passes every row of the model on unchanged (a union, as
marts.indicators does with staging.stg_sources__indicators), so x's `follows_schema` covers them
and the model's own is not run again (transforms/models/run.py); a build without x validates the
model itself. Discovery verifies the claim and refuses it in one line naming the YAML file and
what differs, unless x is a mart whose SQL reads this model, the primary keys are equal, every
column is a plain reference to x's column of the same name (`- marts.x.c`: the same type, rules,
nullability and description; no override) and every row rule is one of x's
(transforms/models/discover.py). That x's SQL keeps every row as it is, discovery cannot see: a
test compares the rows (tests/test_validated_in.py).

Belongs here: turning that YAML into a `TableSpec` (and reading its `validated_in`), and
refusing a malformed one by file and key. Stays out: the SQL and its lineage
(transforms/models/discover.py).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml

from pipeline.schemas import parse_yaml
from pipeline.schemas import row_rules as rr
from pipeline.schemas import rules as r
from pipeline.schemas.fields import shared
from pipeline.schemas.raw import RAW_TABLES
from pipeline.schemas.spec import Field, TableSpec
from pipeline.schemas.vdem import DECLARED_CODES, VDEM_ERT
from pipeline.schemas.wjp import WJP_TABLES

MATERIALIZATIONS = ("table", "view")
VALIDATED_IN = "validated_in"
KEYS = {"description", "materialized", "primary_key", "columns", "row_rules", VALIDATED_IN}


class SpecError(ValueError):
    """A malformed model spec; the message names the file and what is wrong."""


# The specs loaded, with the texts of the YAML files each was made of (its own and those its
# same_as references name, at any depth): {(path, name, default): (((path, text), ...), spec)}.
# A spec is made again only when one of those texts changed. Every refresh discovers the models
# several times (definitions, plan, build), and the references made a discovery load a mart's
# spec once per column naming it: 47 ms a discovery, against 3 ms with the texts compared.
_LOADED: dict[tuple[Path, str, str], tuple[tuple[tuple[Path, str], ...], tuple]] = {}
# The files read by each load in progress, innermost last (a reference loads another spec).
_READING: list[dict[Path, str]] = []


def load_model_spec(
    path: Path, name: str, default: str = "table"
) -> tuple[TableSpec | None, str, str]:
    """(spec or None when the YAML declares no columns, materialization (`default` when the
    YAML declares none), description)."""
    key = (path, name, default)
    kept = _LOADED.get(key)
    if kept is not None and all(_text_or_none(p) == text for p, text in kept[0]):
        _read(dict(kept[0]))
        return kept[1]
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise SpecError(f"{path}: not readable YAML ({err})") from err
    _READING.append({path: text})
    try:
        loaded = _spec_of_text(text, path, name, default)
    finally:
        files = _READING.pop()
    _LOADED[key] = (tuple(files.items()), loaded)
    _read(files)
    return loaded


def _text_or_none(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def _read(files: dict[Path, str]) -> None:
    """What a load read, told to the load that asked for it (if any)."""
    if _READING:
        _READING[-1].update(files)


def validated_in(path: Path) -> str | None:
    """The mart ("marts.x") a model's YAML says its rows are validated in (module docstring),
    or None. The claim itself is verified by discovery, which knows the mart."""
    document = _document(path.read_text(encoding="utf-8"), path)
    claim = document.get(VALIDATED_IN) if isinstance(document, dict) else None
    if claim is None:
        return None
    if not isinstance(claim, str) or not re.fullmatch(r"marts\.[a-z][a-z0-9_]*", claim):
        raise SpecError(f"{path}: {VALIDATED_IN} names a mart as marts.<name>, not {claim!r}")
    return claim


@functools.lru_cache(maxsize=512)
def _document(text: str, path: Path) -> Any:
    """The parsed YAML (kept by its text: a build reads every spec again). Never changed."""
    try:
        return parse_yaml(text) or {}
    except yaml.YAMLError as err:
        raise SpecError(f"{path}: not readable YAML ({err})") from err


def _spec_of_text(
    text: str, path: Path, name: str, default: str
) -> tuple[TableSpec | None, str, str]:
    """The spec a YAML text declares."""
    document = _document(text, path)
    if not isinstance(document, dict):
        raise SpecError(f"{path}: a mapping of description, materialized, columns, ...")
    unknown = set(document) - KEYS
    if unknown:
        raise SpecError(f"{path}: unknown keys {sorted(unknown)}")
    description = str(document.get("description") or "").strip()
    materialized = document.get("materialized", default)
    if materialized not in MATERIALIZATIONS:
        raise SpecError(f"{path}: materialized is one of {MATERIALIZATIONS}, not {materialized!r}")
    if "columns" not in document:
        return None, materialized, description
    try:
        spec = TableSpec(
            name=name,
            description=description,
            fields=tuple(_field(c, path) for c in document["columns"]),
            primary_key=tuple(document.get("primary_key") or ()),
            row_rules=tuple(_row_rule(rule) for rule in document.get("row_rules") or ()),
        )
    except (KeyError, TypeError, ValueError) as err:
        raise SpecError(f"{path}: {type(err).__name__}: {err}") from err
    return spec, materialized, description


def _field(column, path: Path) -> Field:
    if isinstance(column, str):
        return _same_as(column, path) if "." in column else shared(column)
    column = dict(column)
    if "same_as" in column:
        field = _same_as(column.pop("same_as"), path)
        if set(column) - {"nullable"}:
            raise ValueError(
                f"same_as {field.name}: only nullable may change, not {sorted(set(column))} "
                "(the column is described where it is defined)"
            )
        return field.but(**column)
    if "rules" in column:
        column["rules"] = tuple(rule for item in column["rules"] or () for rule in _rules(item))
    if "shared" in column:
        name = column.pop("shared")
        return shared(name, **column)
    rules = column.pop("rules", ())
    return Field(
        name=column.pop("name"),
        dtype=column.pop("type"),
        description=str(column.pop("description")).strip(),
        nullable=bool(column.pop("nullable", False)),
        rules=rules,
        **column,
    )


def _same_as(reference: str, path: Path) -> Field:
    """The field `layer.table.column` names: a raw table's (schemas/) or a model's (its YAML in
    the models folder `path` is in)."""
    if str(reference).count(".") != 2:
        raise ValueError(f"{reference}: another table's column is named layer.table.column")
    layer, table, column = str(reference).split(".")
    if layer == "raw":
        specs = {t.spec.name: t.spec for t in RAW_TABLES} | {
            s.name: s for s in (*WJP_TABLES, VDEM_ERT, DECLARED_CODES)
        }
        if table not in specs:
            raise ValueError(f"{reference}: no raw table {table} has a spec")
        spec = specs[table]
    else:
        other = path.parent.parent / layer / f"{table}.yml"
        if other.resolve() == path.resolve():
            raise ValueError(f"{reference}: a column of this table itself")
        spec = load_model_spec(other, table)[0]
        if spec is None:
            raise ValueError(f"{reference}: {other.name} declares no columns")
    if column not in spec.column_names:
        raise KeyError(f"{reference}: {layer}.{table} has no column {column}")
    return spec.field(column)


def _rules(item) -> tuple[r.Rule, ...]:
    """One YAML rule: `text`, `not_in_future`, or `{kind: parameters}`."""
    if item == "text":
        return r.text()
    if isinstance(item, str):
        return (r.Rule(item),)
    ((kind, params),) = item.items()
    if kind == "one_of":
        return (r.one_of(params),)
    if kind == "text":
        return r.text(int(params))
    params = tuple(params) if isinstance(params, list) else (params,)
    return (r.Rule(kind, params),)


def _row_rule(item) -> rr.RowRule:
    item = dict(item)
    if "custom" in item:
        key = item.pop("custom")
        return rr.custom(key, item["column"], item["name"], *item.get("columns", ()))
    ((kind, columns),) = ((k, v) for k, v in item.items() if k in rr.ROW_KINDS)
    column = item.get("column", columns[0])
    name = item.get("name") or {
        "ordered": f"{columns[0]} <= {columns[-1]}",
        "flag_present": f"{columns[0]} matches {columns[-1]}",
    }.get(kind, f"{kind} {', '.join(columns)}")
    return rr.RowRule(kind, tuple(columns), column, name)
