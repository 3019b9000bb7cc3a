"""Fixtures made from V-Dem's real ERT file (obtained at test time as the pipeline obtains it,
never committed): the file's own lines, optionally cut to recent years and with cells changed,
written back in the file's dialect (R's quoted strings and row numbers, unquoted numbers,
NA for missing)."""

from __future__ import annotations

import re
from dataclasses import dataclass

TOKEN = re.compile(r'"(?:[^"]|"")*"|[^,]*')


def _tokens(line: str) -> list[str]:
    """The fields of one line as written (quotes kept), split on commas outside quotes."""
    fields, position = [], 0
    while True:
        match = TOKEN.match(line, position)
        fields.append(match.group())
        position = match.end()
        if position >= len(line):
            return fields
        position += 1  # the comma


def _plain(token: str) -> str:
    return token[1:-1].replace('""', '"') if token.startswith('"') else token


@dataclass
class Ert:
    """The file as header + rows of written fields; take a copy with `since`, edit its cells
    with `set`, then render it to bytes."""

    header: list[str]
    rows: list[list[str]]

    @classmethod
    def parse(cls, data: bytes) -> Ert:
        lines = data.decode("utf-8").rstrip("\n").split("\n")
        header = [_plain(t) for t in _tokens(lines[0])]
        return cls(header, [_tokens(line) for line in lines[1:]])

    def column(self, name: str) -> int:
        return self.header.index(name)

    def value(self, row: list[str], name: str) -> str | None:
        text = _plain(row[self.column(name)])
        return None if text == "NA" else text

    def rows_of(self, code: str, year: int | None = None) -> list[list[str]]:
        found = [
            row
            for row in self.rows
            if self.value(row, "country_text_id") == code
            and (year is None or int(self.value(row, "year")) == year)
        ]
        assert found, f"no ERT row for {code} {year or ''}"
        return found

    def set(self, code: str, year: int, **cells) -> Ert:
        """Set cells of one country-year; strings in columns the file quotes are quoted."""
        (row,) = self.rows_of(code, year)
        for name, value in cells.items():
            at = self.column(name)
            quoted = row[at].startswith('"') or name.endswith("_id")
            if value is None:
                row[at] = "NA"
            else:
                row[at] = f'"{value}"' if quoted and isinstance(value, str) else str(value)
        return self

    def since(self, first_year: int = 0) -> Ert:
        """A copy holding the years from `first_year` on (edit the copy, not the shared file)."""
        year = self.column("year")
        return Ert(list(self.header), [list(r) for r in self.rows if int(r[year]) >= first_year])

    def render(self) -> bytes:
        header = ",".join(f'"{name}"' for name in self.header)
        return ("\n".join([header, *(",".join(row) for row in self.rows)]) + "\n").encode("utf-8")

    def records(self) -> list[dict[str, str | None]]:
        """Every row as {column: value or None}, values as text."""
        return [
            {
                name: (None if (v := _plain(t)) == "NA" else v)
                for name, t in zip(self.header, row, strict=True)
            }
            for row in self.rows
        ]
