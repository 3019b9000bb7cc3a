"""The one definition of a table's columns, from which everything else is derived.

A `TableSpec` lists the fields of a table (name, logical type, description, nullability, value
rules), its key and its row rules. From it come the pandera schema that holds the table's rules
(run inside DuckDB by transforms/validation.py), the DuckDB DDL that creates it, the pyarrow
schema that exports it, and the column docs shown in the Dagster UI and the data dictionary.

Belongs here: the spec types and those derivations. Stays out: concrete tables (raw/, the
model specs under sql/), shared fields (fields.py), the rule kinds (rules.py, row_rules.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipeline.schemas.row_rules import RowRule
from pipeline.schemas.rules import Rule

if TYPE_CHECKING:  # imported where a frame, a schema or an export is made, not to declare specs
    import pandas as pd
    import pandera.pandas as pa
    import pyarrow

# Logical types.
STRING, INT, BOOL, DATE, DECIMAL, LIST, FLOAT = (
    "string",
    "int",
    "bool",
    "date",
    "decimal",
    "list",
    "float",
)

DUCKDB_TYPES = {
    STRING: "VARCHAR",
    INT: "INTEGER",
    BOOL: "BOOLEAN",
    DATE: "DATE",
    DECIMAL: "DECIMAL(18,2)",
    LIST: "VARCHAR[]",
    FLOAT: "DOUBLE",
}


@functools.cache
def arrow_types() -> dict:
    import pyarrow

    return {
        STRING: pyarrow.string(),
        INT: pyarrow.int32(),
        BOOL: pyarrow.bool_(),
        DATE: pyarrow.date32(),
        DECIMAL: pyarrow.decimal128(18, 2),
        LIST: pyarrow.list_(pyarrow.field("element", pyarrow.string())),  # Parquet's item name
        FLOAT: pyarrow.float64(),
    }


PANDAS_DTYPES = {INT: "Int64", BOOL: "boolean", FLOAT: "float64"}  # others: object


@dataclass(frozen=True)
class Field:
    """One column: its name, logical type, meaning, and the rules its values obey."""

    name: str
    dtype: str
    description: str
    nullable: bool = False
    rules: tuple[Rule, ...] = ()

    def __post_init__(self):
        if self.dtype not in DUCKDB_TYPES:
            raise ValueError(f"field {self.name!r}: unknown type {self.dtype!r}")

    @property
    def duckdb_type(self) -> str:
        return DUCKDB_TYPES[self.dtype]

    @property
    def arrow_type(self) -> pyarrow.DataType:
        return arrow_types()[self.dtype]

    def but(self, **changes) -> Field:
        """The same field with some attributes changed (a shared field, described locally)."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class TableSpec:
    """A table: what each column means, its key and its rules."""

    name: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...]
    row_rules: tuple[RowRule, ...] = ()

    def __post_init__(self):
        names = self.column_names
        missing = [c for c in self.primary_key if c not in names]
        missing += [c for r in self.row_rules for c in (r.column, *r.columns) if c not in names]
        if missing:
            raise ValueError(f"spec {self.name}: unknown columns {sorted(set(missing))}")

    @property
    def column_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def frame(self, rows) -> pd.DataFrame:
        """Rows (tuples in column order) as a frame with this spec's pandas types, also when
        there are none."""
        import pandas as pd

        frame = pd.DataFrame(list(rows), columns=self.column_names)
        return frame.astype(
            {f.name: PANDAS_DTYPES[f.dtype] for f in self.fields if f.dtype in PANDAS_DTYPES}
        )

    def allowed_values(self, column: str) -> tuple:
        """The values the column's one_of rule allows, in the order the spec declares them
        (the vocabulary's display order); () when it has no such rule."""
        return next((r.params[0] for r in self.field(column).rules if r.kind == "one_of"), ())

    def column_of_rule(self, rule_name: str) -> str | None:
        """The column a row rule reports its failures on."""
        return next((r.column for r in self.row_rules if r.name == rule_name), None)

    def pandera_schema(self) -> pa.DataFrameSchema:
        """The table's rules as a pandera schema: exactly these columns, in this order, each with
        its type, whether it may be empty and its checks; the row rules as checks on the table;
        the primary key unique. Dates are checked against today, so it is made once a day."""
        return _pandera_schema(self, dt.date.today())

    def arrow_schema(self, metadata: dict[str, str] | None = None) -> pyarrow.Schema:
        import pyarrow

        fields = [
            pyarrow.field(
                f.name, f.arrow_type, nullable=f.nullable, metadata={"description": f.description}
            )
            for f in self.fields
        ]
        return pyarrow.schema(fields, metadata=metadata)

    def create_table_sql(
        self, qualified_name: str, if_not_exists: bool = False, not_null: bool = True
    ) -> str:
        """DDL for this table; names are quoted, never taken from data. Without `not_null`, the
        required columns are left to the spec's check, which names the failing rows."""
        columns = ",\n  ".join(
            f"{quote_ident(f.name)} {f.duckdb_type}"
            + ("" if f.nullable or not not_null else " NOT NULL")
            for f in self.fields
        )
        create = "CREATE TABLE IF NOT EXISTS" if if_not_exists else "CREATE OR REPLACE TABLE"
        return f"{create} {qualified_name} (\n  {columns}\n)"

    def select_list(self) -> str:
        return ", ".join(quote_ident(f.name) for f in self.fields)


def quote_ident(name: str) -> str:
    """Quote a SQL identifier (DuckDB/PostgreSQL rules)."""
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, table: str) -> str:
    return f"{quote_ident(schema)}.{quote_ident(table)}"


@functools.cache
def _pandera_schema(spec: TableSpec, today: dt.date) -> pa.DataFrameSchema:
    import pandera.pandas as pa

    columns = {
        f.name: pa.Column(
            dtype=PANDAS_DTYPES.get(f.dtype),
            nullable=f.nullable,
            checks=[rule.check() for rule in f.rules],
            description=f.description,
        )
        for f in spec.fields
    }
    return pa.DataFrameSchema(
        columns,
        checks=[rule.check() for rule in spec.row_rules],
        strict=True,
        ordered=True,
        unique=list(spec.primary_key) or None,
        report_duplicates="all",
        name=spec.name,
        description=spec.description,
    )
