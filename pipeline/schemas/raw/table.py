"""The shape of a raw table: `RawTable` (a transcribed CSV: its folder under raw/, its spec and
the keys it holds into other raw tables), `ForeignKey`, and the small field makers the raw specs
share (`integer`, `position`).

Belongs here: those types and makers. Stays out: the tables themselves (the other modules of this
package) and checking the keys (transforms/sources/raw_relations.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.schemas import rules as r
from pipeline.schemas.spec import INT, Field, TableSpec


@dataclass(frozen=True)
class ForeignKey:
    """`column` of this table holds keys of `ref_table.ref_column` (';'-separated if `is_list`)."""

    column: str
    ref_table: str
    ref_column: str
    is_list: bool = False
    ref_is_list: bool = False


@dataclass(frozen=True)
class RawTable:
    folder: str  # folder under raw/
    spec: TableSpec
    foreign_keys: tuple[ForeignKey, ...] = ()

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def relative_path(self) -> str:
        return f"{self.folder}/{self.spec.name}.csv"

    @property
    def asset_name(self) -> str:
        return f"raw_{self.folder}__{self.spec.name}"


def integer(name: str, description: str, nullable: bool = False, *rules) -> Field:
    return Field(name, INT, description, nullable, tuple(rules))


def position(name: str, description: str, nullable: bool = False) -> Field:
    return integer(name, description, nullable, r.positive())
