"""Specs of the transcribed files in `raw/`: one `RawTable` per CSV, with its folder, columns
and the keys it holds into other raw tables. Each module holds one concern:

- table.py: `RawTable`, `ForeignKey` and the field makers the specs share;
- paper.py: the paper's tables and figure (Table 1, Table 2 and its region, Figure 1);
- paper_text.py: the paper's running text (its dated events, its reference list);
- claims.py: the paper's checkable claims, their variants and the records that check them;
- funding.py: the funding claims, the instruments and the documents they come from;
- errata.py: where the paper disagrees with public sources, and its references checked;
- codes.py: the code lists the others refer to (countries, factors, event categories).

Belongs here: the catalogue, `RAW_TABLES` (in the order the tables are read and documented) and
`RAW_BY_NAME`. Stays out: reading files (transforms/sources/reader.py), cross-file rules
(transforms/sources/raw_relations.py), downloaded sources (schemas/wjp.py, schemas/vdem.py) and
long-format indicator sources (schemas/indicator_sources.py).
"""

from __future__ import annotations

from pipeline.schemas.raw.claims import CLAIM_RECORDS, CLAIM_VARIANTS, CLAIMS
from pipeline.schemas.raw.codes import (
    COUNTRIES,
    EVENT_CATEGORIES,
    FACTOR_CROSSWALK,
    ISO3166,
    REGIME_TYPES_TABLE,
)
from pipeline.schemas.raw.errata import ERRATA, REFERENCE_CHECKS
from pipeline.schemas.raw.funding import FUNDING_CLAIMS, FUNDING_INSTRUMENTS, SOURCES
from pipeline.schemas.raw.paper import FIGURE1, TABLE1, TABLE2, TABLE2_REGION
from pipeline.schemas.raw.paper_text import REFERENCES, TIMELINE
from pipeline.schemas.raw.table import RawTable

RAW_TABLES: tuple[RawTable, ...] = (
    TABLE1,
    TABLE2,
    TABLE2_REGION,
    FIGURE1,
    EVENT_CATEGORIES,
    TIMELINE,
    REFERENCES,
    CLAIMS,
    CLAIM_VARIANTS,
    COUNTRIES,
    FACTOR_CROSSWALK,
    SOURCES,
    FUNDING_INSTRUMENTS,
    FUNDING_CLAIMS,
    ERRATA,
    REFERENCE_CHECKS,
    CLAIM_RECORDS,
    ISO3166,
    REGIME_TYPES_TABLE,
)
RAW_BY_NAME = {t.name: t for t in RAW_TABLES}
