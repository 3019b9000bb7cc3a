"""The one definition of a table's columns, from which everything else is derived.

A `TableSpec` lists the fields of a table (name, logical type, description, nullability, value
rules). From it we derive the pandera schema that validates the table, the DuckDB DDL that
creates it, the pyarrow schema that exports it, and the column docs shown in the Dagster UI.

Belongs here: the spec types and the derivations. Stays out: the specs of concrete tables
(`raw.py`, `marts.py`) and anything that reads or writes data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
import pandera.pandas as pa
import pyarrow

# Logical types. Raw CSVs hold dates and money as text, checked as text and typed by DuckDB.
STRING, INT, BOOL, DATE, DECIMAL, LIST, FLOAT = (
    "string", "int", "bool", "date", "decimal", "list", "float"
)  # fmt: skip

DUCKDB_TYPES = {
    STRING: "VARCHAR",
    INT: "INTEGER",
    BOOL: "BOOLEAN",
    DATE: "DATE",
    DECIMAL: "DECIMAL(18,2)",
    LIST: "VARCHAR[]",
    FLOAT: "DOUBLE",
}
ARROW_TYPES = {
    STRING: pyarrow.string(),
    INT: pyarrow.int32(),
    BOOL: pyarrow.bool_(),
    DATE: pyarrow.date32(),
    DECIMAL: pyarrow.decimal128(18, 2),
    LIST: pyarrow.list_(pyarrow.field("element", pyarrow.string())),  # Parquet's item name
    FLOAT: pyarrow.float64(),
}


@dataclass(frozen=True)
class Field:
    """One column: its name, logical type, meaning, and the rules its values obey."""

    name: str
    dtype: str
    description: str
    nullable: bool = False
    checks: tuple[pa.Check, ...] = ()

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.dtype]

    @property
    def arrow_type(self) -> pyarrow.DataType:
        return ARROW_TYPES[self.dtype]


@dataclass(frozen=True)
class RowRule:
    """A rule across columns of one row. `column` is the column a failure is reported on."""

    name: str
    column: str
    holds: Callable[[pd.DataFrame], pd.Series]
    sql: str | None = None  # the same rule as a SQL boolean over quoted column names


@dataclass(frozen=True)
class TableSpec:
    """A table: where it lives, what each column means, its key and its rules."""

    name: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    row_rules: tuple[RowRule, ...] = ()
    extra: dict = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def column_of_rule(self, rule_name: str) -> str | None:
        """The column a table-level rule reports its failures on."""
        return next((r.column for r in self.row_rules if r.name == rule_name), None)

    def pandera_schema(self) -> pa.DataFrameSchema:
        """Strict schema: exactly these columns, in this order, with their rules."""
        columns = {
            f.name: pa.Column(
                dtype=_pandas_dtype(f.dtype),
                nullable=f.nullable,
                checks=list(f.checks),
                description=f.description,
            )
            for f in self.fields
        }
        checks = [pa.Check(rule.holds, name=rule.name) for rule in self.row_rules]
        return pa.DataFrameSchema(
            columns,
            checks=checks,
            strict=True,
            ordered=True,
            unique=list(self.primary_key) or None,
            report_duplicates="all",
            name=self.name,
            description=self.description,
        )

    def arrow_schema(self, metadata: dict[str, str] | None = None) -> pyarrow.Schema:
        fields = [
            pyarrow.field(
                f.name,
                f.arrow_type,
                nullable=f.nullable,
                metadata={"description": f.description},
            )
            for f in self.fields
        ]
        return pyarrow.schema(fields, metadata=metadata)

    def create_table_sql(self, qualified_name: str) -> str:
        """DDL for this table; names are quoted, never taken from data."""
        columns = ",\n  ".join(
            f"{quote_ident(f.name)} {f.duckdb_type}{'' if f.nullable else ' NOT NULL'}"
            for f in self.fields
        )
        return f"CREATE OR REPLACE TABLE {qualified_name} (\n  {columns}\n)"


def _pandas_dtype(dtype: str):
    """The pandas dtype pandera checks for; None where several representations are valid."""
    return {INT: "Int64", BOOL: "boolean"}.get(dtype)


def quote_ident(name: str) -> str:
    """Quote a SQL identifier (DuckDB/PostgreSQL rules)."""
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, table: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(table)}"
