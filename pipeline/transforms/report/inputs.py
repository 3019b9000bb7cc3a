"""What the report is built from: the marts it shows, the raw tables it cites, and the
vocabularies it names things with, each read from where the project defines it (a mart's spec,
raw/reference/), never listed in the report's code.

Belongs here: the inputs' shape and the vocabularies' reading. Stays out: reading the build's
database (pipeline/transforms/report/load_inputs.py) and what the report says (sections/).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.schemas.model_specs import load_model_spec
from pipeline.settings import MODELS_DIR, REPO_ROOT

CLAIMS_SPEC = Path("marts") / "paper_claims.yml"
CROSSWALK = Path("reference") / "factor_crosswalk.csv"
REGIME_TYPES = Path("reference") / "vdem_regime_types.csv"
EVENT_CATEGORIES = Path("reference") / "event_categories.csv"


def verdicts(models_dir: Path = MODELS_DIR) -> tuple[str, ...]:
    """The verdicts of marts.paper_claims, in the order its spec declares them."""
    spec, _, _ = load_model_spec(models_dir / CLAIMS_SPEC, "paper_claims")
    return spec.allowed_values("verdict")


@dataclass(frozen=True)
class Factor:
    code: str
    number: int
    paper_label: str
    wjp_name: str


@dataclass(frozen=True)
class Vocabulary:
    """The words the report names things with, in their display order."""

    verdicts: tuple[str, ...]  # marts.paper_claims spec, column verdict
    factors: tuple[Factor, ...]  # raw/reference/factor_crosswalk.csv, by factor_number
    regimes: dict[int, str]  # raw/reference/vdem_regime_types.csv, by code
    categories: dict[str, str] = field(default_factory=dict)  # raw/reference/event_categories.csv

    def factor_rank(self, code: str) -> int:
        """A factor's place in the order; a code the crosswalk lacks comes last."""
        numbers = {f.code: f.number for f in self.factors}
        return numbers.get(code, len(numbers) + 1)

    def wjp_name(self, code: str, default: str = "") -> str:
        return next((f.wjp_name for f in self.factors if f.code == code), default)


def vocabulary_from_files(raw_dir: Path = REPO_ROOT / "raw", models_dir: Path = MODELS_DIR):
    """The vocabularies as the committed specs and raw files define them."""
    with (raw_dir / CROSSWALK).open(encoding="utf-8", newline="") as handle:
        factors = crosswalk_factors(pd.DataFrame(list(csv.DictReader(handle))))
    with (raw_dir / REGIME_TYPES).open(encoding="utf-8", newline="") as handle:
        regimes = {int(r["v2x_regime"]): r["regime_type"] for r in csv.DictReader(handle)}
    with (raw_dir / EVENT_CATEGORIES).open(encoding="utf-8", newline="") as handle:
        categories = {r["category"]: r["name"] for r in csv.DictReader(handle)}
    return Vocabulary(verdicts(models_dir), factors, regimes, categories)


def crosswalk_factors(frame: pd.DataFrame) -> tuple[Factor, ...]:
    rows = [
        Factor(r.factor_code, int(r.factor_number), r.paper_label, r.wjp_factor_name)
        for r in frame.itertuples()
    ]
    return tuple(sorted(rows, key=lambda f: (f.number, f.code)))


@dataclass(frozen=True)
class ReportInputs:
    indicators: pd.DataFrame
    funding: pd.DataFrame
    timeline: pd.DataFrame
    references: pd.DataFrame
    source_files: pd.DataFrame  # raw.source_files: every file and download, with its status
    countries: pd.DataFrame
    paper_verification: pd.DataFrame  # paper_table, scope, verification, cells
    wjp_snapshot: pd.DataFrame  # one row: status, reason, url, sha256, obtained_from
    wjp_region_averages: pd.DataFrame
    paper_claims: pd.DataFrame  # marts.paper_claims
    errata: pd.DataFrame  # marts.errata
    vdem: pd.DataFrame  # marts.indicators, vdem_ert rows of the Central Asian states
    funding_totals: pd.DataFrame  # marts.funding_totals
    coverage: pd.DataFrame  # marts.coverage
    rank_comparison: pd.DataFrame  # marts.wjp_rank_comparison: agreement, rows
    release_changes: pd.DataFrame | None = None  # marts.release_changes
    accepted_shrinks: tuple[str, ...] = ()  # the release guard's findings the user accepted
    vocabulary: Vocabulary = field(default_factory=vocabulary_from_files)


VDEM_YEARS = (2000, 2024)  # the years of V-Dem the report shows (the loader reads only these)
