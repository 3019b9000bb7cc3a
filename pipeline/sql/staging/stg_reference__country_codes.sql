-- Every country code the data may use, with its name and how it relates to ISO 3166-1: ISO's
-- own codes, the project's (Kosovo's user-assigned XKX), and the codes sources declare in their
-- origin records (V-Dem's historical states and territories, long-format sources'). Where a
-- code is in several, ISO wins, then the project's list.
with iso as (
    select country_iso3 as code, country_name as name, 'iso_3166_1' as status, 1 as priority
    from raw.iso3166_countries
),

project as (
    select country_iso3, country_name, code_status, 2 from raw.countries
),

declared as (
    select code, name, status, 3 from raw.vdem_country_codes
    union all
    select code, name, status, 3 from raw.indicator_country_codes
),

all_codes as (
    select * from iso
    union all
    select * from project
    union all
    select * from declared
),

final as (
    select code as country_code, arg_min(name, priority) as name, arg_min(status, priority) as status
    from all_codes
    group by code
)

select * from final
