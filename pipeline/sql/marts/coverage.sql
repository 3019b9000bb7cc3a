-- Which countries, years and sources each mart covers, and why one of the five Central Asian
-- states is missing: the source was unavailable in this refresh, the country is not in the
-- index, or not in the paper. One row per mart, source and country code; a country a source
-- holds rows for without any value (the paper's "no data" cells) is 'no_values' with the reason
-- the source gives.
with downloads as (
    select 'wjp_roli' as source_id, status, reason from raw.wjp_snapshot
    union all
    select 'vdem_ert', status, reason from raw.vdem_snapshot
),

central_asia as (
    select country_iso3, country_name from raw.countries where is_central_asia
),

-- marts.indicators holds one row per key (its checked primary key), so its rows are counted
-- without a distinct: large sources stay a single grouping (one group per source and country,
-- the distinct years within it), not a set of every key; only the columns it needs are read.
indicators_covered as (
    select
        'indicators' as mart,
        source_id,
        country_iso3 as country_code,
        min(edition_year) filter (has_value) as first_year,
        max(edition_year) filter (has_value) as last_year,
        count(distinct edition_year) filter (has_value) as years,
        count(*) as row_count,
        count(*) filter (has_value) as value_rows,
        min(missing_reason) filter (not has_value) as no_value_reason
    from (
        select
            source_id, country_iso3, edition_year, missing_reason,
            rank is not null or score is not null as has_value
        from marts.indicators
    )
    group by all
),

timeline_rows as (
    select
        source_id,
        coalesce(unnest(case when len(country_iso3s) = 0 then [null] else country_iso3s end),
                 '(international)') as country_code,
        event_id as row_key,
        year(event_date) as year,
        true as has_value,
        cast(null as varchar) as missing_reason
    from marts.timeline
),

funding_rows as (
    select
        coalesce(source_id, '(none)') as source_id,
        recipient_code as country_code,
        claim_id as row_key,
        unnest(range(period_start_year, period_end_year + 1)) as year,
        is_amount_known as has_value,
        amount_missing_reason as missing_reason
    from marts.funding
),

all_rows as (
    select 'timeline' as mart, * from timeline_rows
    union all
    select 'funding', * from funding_rows
),

covered as (
    select
        mart,
        source_id,
        country_code,
        min(year) filter (has_value) as first_year,
        max(year) filter (has_value) as last_year,
        count(distinct year) filter (has_value) as years,
        count(distinct row_key) as row_count,
        count(distinct row_key) filter (has_value) as value_rows,
        min(missing_reason) filter (not has_value) as no_value_reason
    from all_rows
    group by all
    union all
    select * from indicators_covered
),

-- every source with rows in marts.indicators is a group of indicators_covered: read from there,
-- not from a second scan of the mart
indicator_sources as (
    select distinct source_id from indicators_covered
    union
    select source_id from downloads
),

missing as (
    select
        'indicators' as mart,
        sources.source_id,
        central_asia.country_iso3 as country_code,
        case
            when downloads.status = 'unavailable'
                then 'source unavailable in this refresh: ' || downloads.reason
            when sources.source_id like 'paper_%' then 'not in the paper''s table'
            when downloads.source_id is not null then 'not in the index'
            else 'not in the source'
        end as reason
    from indicator_sources as sources
    cross join central_asia
    left join downloads on downloads.source_id = sources.source_id
    where not exists (
        select 1 from covered
        where covered.mart = 'indicators'
            and covered.source_id = sources.source_id
            and covered.country_code = central_asia.country_iso3
    )
),

final as (
    select
        mart, source_id, country_code, first_year, last_year, years, row_count, value_rows,
        case when value_rows > 0 then 'covered' else 'no_values' end as status,
        case when value_rows = 0 then coalesce(no_value_reason, 'no value given') end
            as missing_reason
    from covered
    union all
    select
        mart, source_id, country_code, null, null, 0, 0, 0, 'missing', reason
    from missing
)

select
    final.*,
    codes.name as country_name,
    final.country_code in (select country_iso3 from central_asia) as is_central_asia
from final
left join staging.stg_reference__country_codes as codes on codes.country_code = final.country_code
order by mart, source_id, country_code
