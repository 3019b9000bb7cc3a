"""Specs of V-Dem's Episodes of Regime Transformation (ERT) 15.0 country-year file, downloaded
at run time (raw/vdem/ert.meta.yml), of the non-ISO country codes its record declares, and of
the names of its regime-type codes (raw/reference/vdem_regime_types.csv).

Belongs here: the shape the file must have: its 42 columns, their types and rules. Stays out:
downloading (transforms/sources/downloads.py) and reading (transforms/sources/vdem.py).
"""

from __future__ import annotations

from pipeline.schemas import row_rules as rr
from pipeline.schemas import rules as r
from pipeline.schemas.fields import shared
from pipeline.schemas.spec import FLOAT, INT, STRING, Field, TableSpec

REGIMES = (0, 1, 2, 3)  # Regimes of the World; raw/reference/vdem_regime_types.csv names them
FLAG = (r.one_of((0, 1)),)
YEAR = (r.year_between(1789, 2100),)
SCORE = (r.between(0, 1, "between 0 and 1"),)


def _int(name: str, description: str, rules=()) -> Field:
    return Field(name, INT, description, True, tuple(rules))


def _year(name: str, description: str) -> Field:
    return _int(name, description, YEAR)


def _flag(name: str, description: str) -> Field:
    return _int(name, description, FLAG)


VDEM_ERT = TableSpec(
    name="vdem_ert",
    description="V-Dem Episodes of Regime Transformation (ERT) 15.0: one row per country and "
    "year, 1900-2024, with the regime type, the electoral democracy index and its interval, "
    "regime spells and autocratization and democratization episodes.",
    fields=(
        Field("row_index", INT, "R's row number in the file (its unnamed first column)."),
        Field("country_id", INT, "V-Dem's numeric country id."),
        shared(
            "country_iso3",
            name="country_text_id",
            description="V-Dem's three-letter code: ISO 3166-1 alpha-3 for most countries, or "
            "a code the origin record declares (historical states, territories).",
        ),
        Field("country_name", STRING, "Country name as V-Dem gives it."),
        shared("year", description="Year observed."),
        _int(
            "v2x_regime",
            "Regimes of the World type, from 0 (the most closed) to 3 (the most democratic); "
            "raw/reference/vdem_regime_types.csv names each code.",
            (r.one_of(REGIMES),),
        ),
        Field("v2x_polyarchy", FLOAT, "Electoral democracy index (0-1).", True, SCORE),
        Field("v2x_polyarchy_codelow", FLOAT, "Lower bound of its 68% interval.", True, SCORE),
        Field("v2x_polyarchy_codehigh", FLOAT, "Upper bound of its 68% interval.", True, SCORE),
        _year("reg_start_year", "First year of the regime spell."),
        _year("reg_end_year", "Last year of the regime spell."),
        Field("reg_id", STRING, "Id of the regime spell.", True),
        _flag("reg_type", "Regime spell type: 0 autocracy, 1 democracy."),
        _int(
            "reg_trans",
            "Regime transition: -1 to autocracy, 0 none, 1 to democracy.",
            (r.one_of((-1, 0, 1)),),
        ),
        _year("dem_founding_elec", "Year of the founding election of the democratic spell."),
        _year("aut_founding_elec", "Year of the founding election of the autocratic spell."),
        _int(
            "row_regch_event",
            "Regimes of the World change: -1 down, 0 none, 1 up.",
            (r.one_of((-1, 0, 1)),),
        ),
        _int("row_regch_censored", "Regime change censored."),
        _flag("dem_ep", "Democratization episode ongoing in this year."),
        Field("dem_ep_id", STRING, "Id of the democratization episode.", True),
        _year("dem_ep_start_year", "First year of the democratization episode."),
        _year("dem_ep_end_year", "Last year of the democratization episode."),
        _flag("dem_pre_ep_year", "The year before a democratization episode (1) or not."),
        _int("dem_ep_termination", "How the democratization episode ended."),
        _int("dem_ep_prch", "Democratization episode: pre-episode regime change."),
        _int("dem_ep_ptr", "Democratization episode: political transition."),
        _int("dem_ep_subdep", "Democratization episode: subsequent deepening."),
        _int("dem_ep_outcome", "Outcome of the democratization episode."),
        _int("dem_ep_outcome_agg", "Outcome of the democratization episode, aggregated."),
        _flag("dem_ep_censored", "Democratization episode censored."),
        _flag("aut_ep", "Autocratization episode ongoing in this year."),
        Field("aut_ep_id", STRING, "Id of the autocratization episode.", True),
        _year("aut_ep_start_year", "First year of the autocratization episode."),
        _year("aut_ep_end_year", "Last year of the autocratization episode."),
        _flag("aut_pre_ep_year", "The year before an autocratization episode (1) or not."),
        _int("aut_ep_termination", "How the autocratization episode ended."),
        _int("aut_ep_prch", "Autocratization episode: pre-episode regime change."),
        _int("aut_ep_pbr", "Autocratization episode: democratic breakdown."),
        _int("aut_ep_subreg", "Autocratization episode: subsequent regression."),
        _int("aut_ep_outcome", "Outcome of the autocratization episode."),
        _int("aut_ep_outcome_agg", "Outcome of the autocratization episode, aggregated."),
        _flag("aut_ep_censored", "Autocratization episode censored."),
    ),
    primary_key=("country_text_id", "year"),
    row_rules=(
        rr.ordered("v2x_polyarchy_codelow", "v2x_polyarchy", column="v2x_polyarchy"),
        rr.ordered("v2x_polyarchy", "v2x_polyarchy_codehigh", column="v2x_polyarchy"),
    ),
)

DECLARED_CODES = TableSpec(
    name="vdem_country_codes",
    description="The codes of the V-Dem file that are not ISO 3166-1 alpha-3, as its origin "
    "record declares them: name, status and the ISO country they belong to, if any.",
    fields=(
        shared("country_iso3", name="code", description="The source's code."),
        Field("name", STRING, "What the code stands for."),
        shared("country_code_status", name="status"),
        shared(
            "country_iso3",
            name="maps_to",
            description="ISO code of the country it is part of, or succeeded by.",
            nullable=True,
        ),
        Field("note", STRING, "Why, with the source.", True),
    ),
    primary_key=("code",),
)

REGIME_TYPES = TableSpec(
    name="vdem_regime_types",
    description="V-Dem's Regimes of the World: the name of each code of v2x_regime (V-Dem "
    "Codebook v15), the one place the project's marts take these names from.",
    fields=(
        Field(
            "v2x_regime",
            INT,
            "V-Dem's code, as in the ERT file's column of that name.",
            rules=(r.one_of(REGIMES),),
        ),
        Field("regime_type", STRING, "V-Dem's name of the regime type.", rules=r.text(40)),
    ),
    primary_key=("v2x_regime",),
)
