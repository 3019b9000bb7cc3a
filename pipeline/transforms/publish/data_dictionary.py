"""The data dictionary (docs/data-dictionary.md), generated from the table specs: every mart
(every `sql/marts/*.yml` and the computed release changes, as models/discover.py finds them),
every raw table that has a spec (transcriptions, pinned downloads, provenance) and the staging
models. Each table: its description, primary key, where it comes from, row rules and
checks; each column: its DuckDB type, whether it may be empty, its description and its rules.

The output depends on the specs only (sorted, no dates, no machine paths), so the committed file
is stale exactly when a spec changed; `python -m pipeline.cli dictionary --write` regenerates it.

Belongs here: gathering the specs and rendering them as Markdown. Stays out: reading and
writing the file (cli.py), the specs themselves (schemas/, sql/).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.schemas.provenance import SOURCE_FILES
from pipeline.schemas.raw import RAW_TABLES
from pipeline.schemas.rules import Rule
from pipeline.schemas.spec import TableSpec
from pipeline.settings import MODELS_DIR, REPO_ROOT
from pipeline.transforms.models.discover import every_model
from pipeline.transforms.models.mart_checks import mart_checks
from pipeline.transforms.sources.download_sources import DOWNLOADS

DOC_PATH = REPO_ROOT / "docs" / "data-dictionary.md"
REGENERATE = "python -m pipeline.cli dictionary --write"
TEXT_KINDS = ("max_length", "no_control_chars", "no_formula_prefix", "trimmed")


@dataclass(frozen=True)
class Table:
    """One warehouse table as the dictionary shows it."""

    relation: str  # "marts.funding"
    description: str
    origin: str  # where its rows come from, one sentence
    spec: TableSpec | None = None
    checks: tuple[str, ...] = ()  # further checks before publishing, as sentences


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    tables: tuple[Table, ...]


def data_dictionary(models_dir: Path = MODELS_DIR) -> str:
    """The whole dictionary, as Markdown."""
    return render(sections(models_dir))


def sections(models_dir: Path) -> list[Section]:
    models = every_model(models_dir)
    return [
        Section(
            "Marts",
            "The public interface: each mart is also exported as `exports/<mart>.parquet`.",
            tuple(sorted((_model_table(m) for m in models if m.layer == "marts"), key=_key)),
        ),
        Section(
            "Raw: transcriptions",
            "The files in `raw/`, loaded as they are after their checks.",
            tuple(_transcription(t) for t in RAW_TABLES),
        ),
        Section(
            "Raw: pinned downloads",
            "Parsed from the files each refresh downloads and checks against its pin; empty "
            "when the file could not be had (the status table says why).",
            tuple(table for source in DOWNLOADS for table in _download(source)),
        ),
        Section(
            "Raw: provenance",
            "What the warehouse was built from.",
            (
                Table(
                    f"raw.{SOURCE_FILES.name}",
                    SOURCE_FILES.description,
                    "The refresh.",
                    SOURCE_FILES,
                ),
            ),
        ),
        Section(
            "Staging",
            "Intermediate models between raw and marts: not a public interface, may change.",
            tuple(sorted((_model_table(m) for m in models if m.layer == "staging"), key=_key)),
        ),
    ]


def _key(table: Table) -> str:
    return table.relation


def _model_table(model) -> Table:
    if model.computed:
        origin = f"Computed by `{_shown(model.path)}` from the other marts."
    else:
        origin = f"A {model.materialized} built by `{_shown(model.path)}`."
    if model.validated_in:
        origin += (
            f" Its rows are validated in `{model.validated_in}` (its columns and rules are that "
            "mart's), once, when a refresh builds both."
        )
    checks = tuple(check.description for check in mart_checks(model.path))
    return Table(model.relation, model.description, origin, model.spec, checks)


def _transcription(table) -> Table:
    origin = (
        f"`raw/{table.relative_path}`, described by its origin record "
        f"`raw/{table.folder}/{table.name}.meta.yml`."
    )
    return Table(f"raw.{table.name}", table.spec.description, origin, table.spec)


def _download(source) -> list[Table]:
    record = f"`raw/{source.folder}/{source.stem}.meta.yml`"
    specs = (*source.tables, source.status, *filter(None, [source.declared_codes]))
    return [
        Table(
            f"raw.{spec.name}",
            spec.description,
            f"The pinned download `{source.source_id}` (origin record {record}).",
            spec,
        )
        for spec in specs
    ]


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO_ROOT).as_posix()
    except ValueError:
        return path.name


# --- rendering -------------------------------------------------------------------------------


def render(parts: list[Section]) -> str:
    lines = [
        "# Data dictionary",
        "",
        "Every table of `warehouse/warehouse.duckdb` that has a spec: what it holds, its key, "
        "and each column's type, emptiness, meaning and rules. The rules are checked on every "
        "refresh; a row that breaks one blocks the publish.",
        "",
        f"Generated from the table specs (`pipeline/schemas/`, `pipeline/sql/*/*.yml`) by "
        f"`{REGENERATE}`; do not edit by hand. A test fails when this file is stale.",
        "",
    ]
    for section in parts:
        lines += [f"- [{section.title}](#{_anchor(section.title)})"]
        lines += [f"  - [`{t.relation}`](#{_anchor(t.relation)})" for t in section.tables]
    for section in parts:
        lines += ["", f"## {section.title}", "", section.intro]
        for table in section.tables:
            lines += ["", *_table_lines(table)]
    return "\n".join(lines) + "\n"


def _table_lines(table: Table) -> list[str]:
    lines = [f"### {table.relation}", "", _prose(table.description) or "(No description.)", ""]
    lines.append(f"Source: {table.origin}")
    spec = table.spec
    if spec is None:
        return [*lines, "", "No column spec: its columns are those its SQL selects."]
    key = ", ".join(f"`{c}`" for c in spec.primary_key) or "none"
    lines += ["", f"Primary key: {key}."]
    rules = [
        f"`{rule.name}` ({', '.join(rule.columns or (rule.column,))})" for rule in spec.row_rules
    ]
    if rules:
        lines += ["", "Row rules: " + "; ".join(rules) + "."]
    if table.checks:
        lines += ["", "Checked before publishing: " + " ".join(table.checks)]
    lines += [
        "",
        "| Column | Type | Empty allowed | Description | Rules |",
        "|---|---|---|---|---|",
    ]
    for field in spec.fields:
        lines.append(
            f"| `{field.name}` | {field.duckdb_type} | {'yes' if field.nullable else 'no'} | "
            f"{_cell(_prose(field.description))} | {_cell(rules_text(field.rules))} |"
        )
    return lines


def rules_text(rules: tuple[Rule, ...]) -> str:
    """A column's rules in words; the four rules of free text read as one."""
    kinds = {rule.kind: rule for rule in rules}
    parts = []
    if all(kind in kinds for kind in TEXT_KINDS):
        limit = kinds["max_length"].params[0]
        parts.append(
            f"free text: at most {limit} characters, no control characters, not starting with "
            "= + - @, no leading or trailing spaces"
        )
        rules = tuple(rule for rule in rules if rule.kind not in TEXT_KINDS)
    parts += [f"`{rule.name}`" for rule in rules]
    return "; ".join(parts)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _prose(text: str) -> str:
    """A description as Markdown: one line, and `<mart>` shown, not taken for an HTML tag."""
    return _one_line(text).replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    """Text for a Markdown table cell: one line, pipes escaped."""
    return _one_line(text).replace("|", "\\|")


def _anchor(title: str) -> str:
    """GitHub's heading anchor: lowercase, punctuation dropped, spaces to hyphens."""
    kept = "".join(c for c in title.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")
