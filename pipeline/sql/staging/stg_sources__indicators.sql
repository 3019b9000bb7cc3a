-- Long-format indicator sources (raw/indicators/), in the columns of marts.indicators.
-- A view: a source may hold tens of millions of rows, never copied (the mart is a view too).
with values_ as (
    select * from raw.indicator_values
),

names as (
    select country_code as country_iso3, name as country_name, status as country_code_status
    from staging.stg_reference__country_codes
),

final as (
    select
        values_.source_id,
        values_.source_file as source_locator,
        values_.source_line,
        values_.country_iso3,
        names.country_name,
        values_.year as edition_year,
        cast(values_.year as varchar) as edition_label,
        values_.indicator_code as factor_code,
        definitions.indicator_name as factor_name,
        'global' as scope,
        'as given by the source' as scope_name,
        values_.rank,
        values_.n_ranked,
        case when values_.rank is null then 'the source gives no rank' end as missing_reason,
        values_.value as score,
        cast(null as double) as score_low,
        cast(null as double) as score_high,
        names.country_code_status
    from values_
    inner join names on names.country_iso3 = values_.country_iso3
    inner join raw.indicator_definitions as definitions
        on definitions.source_id = values_.source_id
        and definitions.indicator_code = values_.indicator_code
)

select * from final
