"""The asset graph, derived: which asset produces each warehouse relation (from the specs of
the sources), what each model reads (from its SQL), hence every asset's upstream assets. The
Dagster definitions are built from this graph, and an export's provenance is the upstream
closure of its mart in it, down to every file and download, at any depth.

Belongs here: naming assets and deriving their dependencies. No Dagster import: the factory
(defs/factory.py) turns this graph into asset specs.
"""

from __future__ import annotations

import graphlib
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.schemas.indicator_sources import GATHERED
from pipeline.schemas.raw import RAW_BY_NAME, RAW_TABLES
from pipeline.transforms.models.discover import Model, every_model, model_key
from pipeline.transforms.sources.download_sources import DOWNLOADS
from pipeline.transforms.sources.indicator_sources import (
    COUNTRY_CODES,
    DEFINITIONS,
    VALUES,
    long_source_key,
    source_ids,
    source_table,
)
from pipeline.transforms.sources.inventory import INVENTORY_ASSET as INVENTORY
from pipeline.transforms.sources.raw_relations import related_tables
from pipeline.transforms.sources.read_all import Chosen

VALUES_ASSET = long_source_key(GATHERED)  # raw_indicators__values: no source takes its id
REPORT = "report_summary"
PUBLISH = "warehouse_release"
# The stages, in the order the data flows through them (the UI shows its groups in this order).
RAW, STAGING, MARTS, EXPORTS, REPORTS, RELEASE = STAGES = (
    "raw",
    "staging",
    "marts",
    "exports",
    "reports",
    "release",
)


def export_key(mart_name: str) -> str:
    return f"export_{mart_name}"


def _unquoted(relation: str) -> str:
    return relation.replace('"', "")


class LineageError(ValueError):
    """A model reads a relation nothing produces."""


@dataclass
class Graph:
    models: list[Model]
    long_sources: list[str]
    producers: dict[str, str] = field(default_factory=dict)  # "raw.x" -> asset key
    deps: dict[str, list[str]] = field(default_factory=dict)  # asset key -> upstream keys
    file_sources: list[str] = field(default_factory=list)  # assets that read files (provenance)
    stages: dict[str, str] = field(default_factory=dict)  # asset key -> its stage (STAGES)
    # Assets checked against each other (transcriptions whose keys point into each other; the
    # gathered values and every long-format source): one built means the others are read again.
    together: dict[str, set[str]] = field(default_factory=dict)

    @property
    def long_sources_keys(self) -> list[str]:
        return [long_source_key(s) for s in self.long_sources]

    @property
    def marts(self) -> list[Model]:
        return [m for m in self.models if m.layer == "marts"]

    @property
    def order(self) -> list[str]:
        """Every asset key, each after everything it reads, stage by stage."""
        sorter = graphlib.TopologicalSorter(self.deps)
        rank = {key: i for i, key in enumerate(sorter.static_order())}
        return sorted(self.deps, key=lambda k: (STAGES.index(self.stages[k]), rank[k]))

    def downstream(self, key: str) -> set[str]:
        """Every asset that reads `key`, at any depth."""
        readers: dict[str, set[str]] = {}
        for asset, upstream in self.deps.items():
            for dep in upstream:
                readers.setdefault(dep, set()).add(asset)
        seen, stack = set(), list(readers.get(key, ()))
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(readers.get(current, ()))
        return seen

    def upstream(self, key: str) -> set[str]:
        """Every asset upstream of `key`, at any depth."""
        seen, stack = set(), list(self.deps.get(key, ()))
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.deps.get(current, ()))
        return seen

    def needed_by(self, keys) -> set[str]:
        """What building `keys` from nothing needs: them, everything upstream of them, and the
        assets checked together with those (the tables their rows are checked against)."""
        needed = set(keys).union(*(self.upstream(key) for key in keys))
        return needed.union(*(self.together.get(key, ()) for key in needed))

    def chosen_sources(self, keys) -> Chosen:
        """The sources among the asset keys `keys`, by their own names, as the sources step
        takes them (transforms/sources/read_all.py)."""
        keys = set(keys)
        return Chosen(
            inventory=INVENTORY in keys,
            tables=frozenset(t.name for t in RAW_TABLES if t.asset_name in keys),
            downloads=frozenset(s.source_id for s in DOWNLOADS if s.asset_name in keys),
            long_sources=frozenset(s for s in self.long_sources if long_source_key(s) in keys),
            gathered=VALUES_ASSET in keys,
        )

    def sources_of(self, key: str) -> list[str]:
        """The file-reading assets upstream of `key`: its provenance."""
        return sorted(self.upstream(key) & set(self.file_sources))


def build_graph(raw_dir: Path, models_dir: Path) -> Graph:
    graph = Graph(every_model(models_dir), source_ids(raw_dir))
    graph.deps[INVENTORY] = []
    graph.producers["raw.inventory"] = INVENTORY
    for table in RAW_TABLES:
        graph.producers[f"raw.{table.name}"] = table.asset_name
        graph.deps[table.asset_name] = []
        graph.file_sources.append(table.asset_name)
    for source in DOWNLOADS:
        specs = (*source.tables, source.status, *filter(None, [source.declared_codes]))
        for spec in specs:
            graph.producers[f"raw.{spec.name}"] = source.asset_name
        graph.deps[source.asset_name] = []
        graph.file_sources.append(source.asset_name)
    known_countries = ["raw_reference__iso3166_countries", "raw_reference__countries"]
    for table in RAW_TABLES:
        related = {RAW_BY_NAME[name].asset_name for name in related_tables(table.name)}
        graph.together[table.asset_name] = related - {table.asset_name}
    for source_id in graph.long_sources:
        graph.producers[_unquoted(source_table(source_id))] = long_source_key(source_id)
        graph.deps[long_source_key(source_id)] = list(known_countries)
        graph.file_sources.append(long_source_key(source_id))
    for relation in (VALUES, DEFINITIONS, COUNTRY_CODES):
        graph.producers[_unquoted(relation)] = VALUES_ASSET
    graph.deps[VALUES_ASSET] = [long_source_key(s) for s in graph.long_sources]
    graph.together[VALUES_ASSET] = set(graph.deps[VALUES_ASSET])
    for model in graph.models:
        graph.producers[model.relation] = model_key(model)
    for model in graph.models:
        graph.deps[model_key(model)] = [_producer(graph, model, r) for r in model.reads]
    for mart in graph.marts:
        graph.deps[export_key(mart.name)] = [model_key(mart)]
    graph.deps[REPORT] = [model_key(m) for m in graph.marts] + [
        export_key(m.name) for m in graph.marts
    ]
    graph.deps[PUBLISH] = [REPORT, *graph.deps[REPORT], INVENTORY]
    for key in graph.deps:
        graph.stages[key] = RAW
    for model in graph.models:
        graph.stages[model_key(model)] = model.layer
    for mart in graph.marts:
        graph.stages[export_key(mart.name)] = EXPORTS
    graph.stages[REPORT], graph.stages[PUBLISH] = REPORTS, RELEASE
    return graph


def _producer(graph: Graph, model: Model, relation: str) -> str:
    if relation not in graph.producers:
        raise LineageError(
            f"{model.path.name} reads {relation}, which no source or model produces "
            f"(known: {', '.join(sorted(graph.producers))})"
        )
    return graph.producers[relation]
