"""Step 5 of the one reader (reader.py): every cell typed by one set of rules (plain ASCII
integers, plain numbers, ISO dates, amounts without separators), so 2022.5, 1e3, '€174' or
31.02.2022 are refused by value. A cell's text is checked against its type's rule, then cast;
a Parquet column stored in the spec's own type is trusted (its schema is checked once).

The typed table is built in one pass that also flags the rows holding a cell that breaks its
rule; only then are the failing cells listed, by line, column and value.

Belongs here: the type rules, the typed table and the type problems. Stays out: reading the
file (reader.py), value rules (schemas/).
"""

from __future__ import annotations

from pipeline.schemas.spec import BOOL, DATE, DECIMAL, FLOAT, INT, TableSpec, quote_ident
from pipeline.transforms.sources.read_result import EXAMPLES_PER_RULE, Read

DATE_SQL = (
    "(regexp_full_match({c}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') AND NOT starts_with({c}, '0000')"
    " AND try_strptime({c}, '%Y-%m-%d') IS NOT NULL)"
)
# What a cell's text must look like to be of a type, and how it is cast once it is.
TYPE_RULES: dict[str, tuple[str, str, str]] = {
    INT: ("an integer", "regexp_full_match({c}, '-?[0-9]{{1,9}}')", "CAST({c} AS INTEGER)"),
    FLOAT: (
        "a number",
        r"regexp_full_match({c}, '-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]{{1,3}})?')",
        "CAST({c} AS DOUBLE)",
    ),
    BOOL: ("true or false", "{c} IN ('true', 'false')", "({c} = 'true')"),
    DATE: ("a real calendar date YYYY-MM-DD", DATE_SQL, "CAST(strptime({c}, '%Y-%m-%d') AS DATE)"),
    DECIMAL: (
        "an amount with at most 2 decimals, no thousands separators or currency signs",
        r"regexp_full_match({c}, '-?[0-9]{{1,16}}(\.[0-9]{{1,2}})?')",
        "CAST({c} AS DECIMAL(18,2))",
    ),
}
# The Parquet types stored for a spec type that are trusted without checking each cell.
NATIVE_TYPES = {
    INT: ("INTEGER", "SMALLINT", "TINYINT", "USMALLINT", "UTINYINT"),
    FLOAT: ("DOUBLE", "FLOAT", "INTEGER", "SMALLINT", "TINYINT", "BIGINT"),
    BOOL: ("BOOLEAN",),
    DATE: ("DATE",),
}


def native(spec_field, stored_type: str) -> bool:
    """Whether a Parquet column stored as `stored_type` already has the field's type."""
    return stored_type in NATIVE_TYPES.get(spec_field.dtype, ()) or (
        spec_field.dtype == FLOAT and stored_type.startswith("DECIMAL")
    )


def typed_columns(spec: TableSpec, present: list[str]) -> list[str]:
    """The columns of `present` whose cells a type rule checks."""
    return [n for n in present if spec.field(n).dtype in TYPE_RULES]


def build_typed(con, spec, target, rows: str, read: Read, checked: list[str], line="line") -> int:
    """Build `target` from `rows` (a relation with the file's columns, and `line` unless `line`
    is None, then `target` is a temporary table without it) in one pass: every spec column
    (absent optional ones NULL, cells that break their type's rule NULL). Returns how many rows
    have such a cell (counted from a flag built in the same pass, then dropped)."""
    select = ", ".join(
        _cast(spec.field(n), n in read.columns, n in checked) for n in spec.column_names
    )
    holds = " AND ".join(_holds(spec.field(n)) for n in checked)
    extra = (f", {line}" if line else "") + (f", {holds} AS _ok" if checked else "")
    table = "TABLE" if line else "TEMP TABLE"
    con.execute(
        f"CREATE OR REPLACE {table} {target} AS SELECT {select}{extra} FROM {rows}"  # noqa: S608
    )
    read.relation = target
    read.rows = con.execute(f"SELECT count(*) FROM {target}").fetchall()[0][0]  # noqa: S608
    if not checked:
        return 0
    faults = con.execute(f"SELECT count_if(NOT _ok) FROM {target}").fetchall()[0][0]  # noqa: S608
    con.execute(f"ALTER TABLE {target} DROP COLUMN _ok")
    return faults


def _holds(spec_field) -> str:
    """True where the cell is empty or its text follows the rule of its type."""
    text = f"CAST({quote_ident(spec_field.name)} AS VARCHAR)"
    return f"({text} IS NULL OR {TYPE_RULES[spec_field.dtype][1].format(c=text)})"


def type_problems(con, spec, table, checked, read: Read) -> None:
    """Each cell of `table` (with a `line` column) that breaks its type's rule, as a problem:
    at most EXAMPLES_PER_RULE listed per column, and the count of them all."""
    cells = {n: f"CAST({quote_ident(n)} AS VARCHAR)" for n in checked}
    holds = {n: TYPE_RULES[spec.field(n).dtype][1].format(c=cells[n]) for n in checked}
    counts = ", ".join(f"count_if({cells[n]} IS NOT NULL AND NOT {holds[n]})" for n in checked)
    if not counts:
        return
    failing = con.execute(f"SELECT {counts} FROM {table}").fetchall()[0]  # noqa: S608
    for name, failures in zip(checked, failing, strict=True):
        if not failures:
            continue
        rule = TYPE_RULES[spec.field(name).dtype][0]
        rows = con.execute(
            f"SELECT line, {cells[name]} FROM {table} "  # noqa: S608
            f"WHERE {cells[name]} IS NOT NULL AND NOT {holds[name]} ORDER BY line "
            f"LIMIT {EXAMPLES_PER_RULE}"
        ).fetchall()
        for line, value in rows:
            read.problem(rule, value, line=int(line), column=name)
        if failures > len(rows):
            read.problem(rule, f"... {failures} cells in all", column=name)


def _cast(spec_field, present: bool, checked: bool) -> str:
    name = quote_ident(spec_field.name)
    if not present:
        return f"CAST(NULL AS {spec_field.duckdb_type}) AS {name}"
    if checked:
        text = f"CAST({name} AS VARCHAR)"
        holds = TYPE_RULES[spec_field.dtype][1].format(c=text)
        cast = TYPE_RULES[spec_field.dtype][2].format(c=text)
        return f"CASE WHEN {holds} THEN {cast} END AS {name}"
    return f"CAST({name} AS {spec_field.duckdb_type}) AS {name}"
