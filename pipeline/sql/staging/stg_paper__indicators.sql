-- The paper's Table 1 (2022 ranks and the 2021 ranks in parentheses) and Table 2, one row per
-- cell (source_id paper_table1 / paper_table2), mapped to ISO countries and WJP factors through the reference tables.
with table1 as (
    select * from raw.table1_ranks
),

table2 as (
    select * from raw.table2_kazakhstan_ranks
),

country_names as (
    select country_iso3, country_name, unnest(string_split(paper_names, ';')) as paper_name
    from raw.countries
),

table1_current as (
    select
        'paper_table1' as source_id,
        format('Table 1, row {} "{}", column {} "{}"',
               table_row, row_label, table_column, column_label) as source_locator,
        country_name as printed_country,
        edition_year,
        row_label as paper_label,
        'global' as scope,
        'all countries in the rating' as scope_name,
        rank,
        n_ranked,
        missing_reason,
        cell_text,
        source_reference_key
    from table1
),

table1_previous as (
    select
        'paper_table1' as source_id,
        format('Table 1, row {} "{}", column {} "{}", rank in parentheses',
               table_row, row_label, table_column, column_label) as source_locator,
        country_name as printed_country,
        previous_edition_year as edition_year,
        row_label as paper_label,
        'global' as scope,
        'all countries in the rating' as scope_name,
        previous_rank as rank,
        cast(null as integer) as n_ranked,
        cast(null as varchar) as missing_reason,
        cell_text,
        source_reference_key
    from table1
    where previous_rank is not null
),

table2_cells as (
    select
        'paper_table2' as source_id,
        format('Table 2, row {} "{}", column {} "{}"',
               table_row, row_label, table_column, column_label) as source_locator,
        country_name as printed_country,
        edition_year,
        row_label as paper_label,
        scope,
        scope_name,
        rank,
        n_ranked,
        cast(null as varchar) as missing_reason,
        cell_text,
        source_reference_key
    from table2
),

cells as (
    select * from table1_current
    union all by name
    select * from table1_previous
    union all by name
    select * from table2_cells
),

final as (
    select
        cells.source_id,
        cells.source_locator,
        country_names.country_iso3,
        country_names.country_name,
        cells.edition_year,
        crosswalk.factor_code,
        crosswalk.wjp_factor_name as factor_name,
        cells.paper_label,
        cells.scope,
        cells.scope_name,
        cells.rank,
        cells.n_ranked,
        cells.missing_reason,
        cells.cell_text,
        cells.source_reference_key as paper_citation_key
    from cells
    inner join country_names on country_names.paper_name = cells.printed_country
    inner join raw.factor_crosswalk as crosswalk on crosswalk.paper_label = cells.paper_label
)

select * from final
