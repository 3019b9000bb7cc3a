-- Countries with the paper's names and codes as lists, and membership of Table 2's region list.
with countries as (
    select * from raw.countries
),

final as (
    select
        countries.country_iso3,
        countries.country_iso2,
        countries.country_name,
        countries.code_status,
        countries.is_central_asia,
        countries.country_iso3 in (select country_iso3 from raw.table2_region_members)
            as in_paper_region_list,
        list_filter(string_split(countries.paper_names, ';'), lambda x: x <> '') as paper_names,
        coalesce(list_filter(string_split(countries.paper_codes, ';'), lambda x: x <> ''), [])
            as paper_codes
    from countries
)

select * from final
