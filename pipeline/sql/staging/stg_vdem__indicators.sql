-- V-Dem ERT's country-years as rows of marts.indicators (source_id 'vdem_ert'): the regime type,
-- the electoral democracy index with its 68% interval, and whether an autocratization or a
-- democratization episode is under way. factor_code is V-Dem's variable name; edition_year is
-- the year observed; a variable V-Dem leaves empty for a country-year gives no row. A regime
-- type carries V-Dem's name of its code in value_label, and its factor_name lists the codes,
-- both from raw.vdem_regime_types (V-Dem's codebook), the one place the names are written.
with ert as (
    select vdem_ert.*, types.regime_type
    from raw.vdem_ert
    left join raw.vdem_regime_types as types on types.v2x_regime = vdem_ert.v2x_regime
),

regime_codes as (
    select
        'Regimes of the World ('
            || string_agg(format('{} {}', v2x_regime, regime_type), ', ' order by v2x_regime)
            || ')' as factor_name
    from raw.vdem_regime_types
),

measures as (
    select
        country_text_id, country_name, year, 'v2x_regime' as factor_code,
        regime_codes.factor_name,
        cast(v2x_regime as double) as score,
        cast(null as double) as score_low,
        cast(null as double) as score_high,
        regime_type as value_label
    from ert, regime_codes
    union all
    select
        country_text_id, country_name, year, 'v2x_polyarchy',
        'Electoral democracy index (0-1)',
        v2x_polyarchy, v2x_polyarchy_codelow, v2x_polyarchy_codehigh, null
    from ert
    union all
    select
        country_text_id, country_name, year, 'aut_ep',
        'Autocratization episode under way (1) or not (0)',
        cast(aut_ep as double), null, null, null
    from ert
    union all
    select
        country_text_id, country_name, year, 'dem_ep',
        'Democratization episode under way (1) or not (0)',
        cast(dem_ep as double), null, null, null
    from ert
),

final as (
    select
        'vdem_ert' as source_id,
        format('ert.csv: country {}, year {}, column {}', country_text_id, year, factor_code)
            as source_locator,
        cast(null as integer) as source_line,
        country_text_id as country_iso3,
        country_name,
        year as edition_year,
        cast(year as varchar) as edition_label,
        factor_code,
        factor_name,
        'global' as scope,
        'not ranked (V-Dem gives values, not ranks)' as scope_name,
        cast(null as integer) as rank,
        cast(null as integer) as n_ranked,
        'V-Dem gives no rank' as missing_reason,
        score,
        score_low,
        score_high,
        value_label
    from measures
    where score is not null
)

select * from final
