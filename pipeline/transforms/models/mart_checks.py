"""Checks on marts beyond their specs: promises that span rows or tables, dbt's singular tests.
Each is a SQL file beside its mart, `sql/marts/<mart>.<check_name>.check.sql`, whose query
returns the rows that break it; the models step runs it as a blocking check of that mart, named
`<check_name>`, and one runner here turns each row into a Problem.

The convention, for a new check:

- the file's leading `--` comment is the check's description (the Dagster UI and the data
  dictionary show it, from there only);
- the query returns one row per failure, with the columns `row_key` (the failing row, by its
  mart's primary key), `value` (what is wrong, shown in the message) and `rule` (the promise
  broken, in words), and optionally `file` (where to fix it; the mart by default), `column`
  and `fix` (what to do);
- `{{ name }}` placeholders are filled from the specs, so a check never restates them:
  `row_key` (the checked mart's key expression), `errata_targets` (the marts an erratum may
  point at, schemas/fields.py) and `errata_target_keys` (a query of their rows that carry an
  erratum, `mart` and `key`, each keyed by its mart's declared primary key).

Belongs here: finding the check files, filling their placeholders and the runner. Stays out:
the checks themselves (sql/marts/), per-row rules (in the mart's spec, sql/marts/<name>.yml).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipeline.schemas.fields import ERRATA_TARGETS
from pipeline.schemas.model_specs import load_model_spec
from pipeline.schemas.spec import TableSpec, qualified, quote_ident
from pipeline.transforms.models.discover import CHECK_SUFFIX
from pipeline.transforms.problems import Problem

REQUIRED = ("row_key", "value", "rule")
OPTIONAL = ("file", "column", "fix")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")


class MartCheckError(ValueError):
    """A check file that does not follow the convention; the message names the file."""


@dataclass(frozen=True)
class MartCheck:
    mart: str
    name: str  # the Dagster check's name
    path: Path
    description: str
    sql: str  # as written, placeholders unfilled


def mart_checks(mart_sql: Path) -> list[MartCheck]:
    """The checks beside a mart's SQL file (`<mart>.sql`), by name."""
    paths = sorted(mart_sql.parent.glob(f"{mart_sql.stem}.*{CHECK_SUFFIX}"))
    return [_check(path) for path in paths]


def _check(path: Path) -> MartCheck:
    mart, _, name = path.name.removesuffix(CHECK_SUFFIX).partition(".")
    if not _NAME.fullmatch(name):
        raise MartCheckError(
            f"{path}: a check file is <mart>.<check_name>{CHECK_SUFFIX}, the check's name "
            "lowercase letters, digits and _"
        )
    sql = path.read_text(encoding="utf-8")
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    if not lines:
        raise MartCheckError(f"{path}: a check starts with a `--` comment that describes it")
    return MartCheck(mart, name, path, " ".join(lines), sql)


def row_key(spec: TableSpec) -> str:
    """SQL for a row's key as errata write it (target_key): the values of the mart's declared
    primary key, in its order, '/'-joined."""
    return f"concat_ws('/', {', '.join(quote_ident(c) for c in spec.primary_key)})"


def target_specs(marts_dir: Path) -> dict[str, TableSpec]:
    """The spec of each mart an erratum can point at, from its YAML beside its SQL."""
    specs = {mart: load_model_spec(marts_dir / f"{mart}.yml", mart)[0] for mart in ERRATA_TARGETS}
    return {mart: spec for mart, spec in specs.items() if spec is not None}


def _fill(check: MartCheck, name: str) -> str:
    marts_dir = check.path.parent
    if name == "row_key":
        spec = load_model_spec(marts_dir / f"{check.mart}.yml", check.mart)[0]
        return row_key(spec)
    if name == "errata_targets":
        return ", ".join(f"'{mart}'" for mart in target_specs(marts_dir))
    if name == "errata_target_keys":
        return " UNION ALL ".join(
            f"SELECT '{mart}' AS mart, {row_key(spec)} AS key "  # noqa: S608
            f"FROM {qualified('marts', mart)} WHERE erratum IS NOT NULL"
            for mart, spec in target_specs(marts_dir).items()
        )
    raise MartCheckError(
        f"{check.path}: unknown placeholder {{{{ {name} }}}} (known: row_key, errata_targets, "
        "errata_target_keys)"
    )


def run_check(con: duckdb.DuckDBPyConnection, check: MartCheck) -> list[Problem]:
    """The check's failing rows, as Problems, by row key."""
    sql = _PLACEHOLDER.sub(lambda m: _fill(check, m.group(1)), check.sql)
    result = con.sql(sql)
    columns = result.columns
    missing = [c for c in REQUIRED if c not in columns]
    unknown = [c for c in columns if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        raise MartCheckError(
            f"{check.path}: a check returns the columns {', '.join(REQUIRED)} and optionally "
            f"{', '.join(OPTIONAL)} (missing: {missing}, unknown: {unknown})"
        )
    problems = []
    for values in result.order("row_key").fetchall():
        row = dict(zip(columns, values, strict=True))
        problems.append(
            Problem(
                row.get("file") or f"marts.{check.mart}",
                None,
                row.get("column"),
                row["rule"],
                row["value"],
                row=row["row_key"],
                fix=row.get("fix"),
            )
        )
    return problems
