-- Public mart: ranks and values from every indicator source, told apart by source_id. The
-- paper's cells carry their verification against the WJP snapshot; WJP rows carry scores;
-- long-format sources from raw/indicators/ carry their values in `score` and their file row
-- in `source_line`. A paper cell that disagrees with its source carries the erratum or
-- acknowledged disagreement that explains it (raw.errata, target_mart 'indicators').
with errata as (
    select target_key, string_agg(correction, ' ' order by erratum_id) as erratum
    from raw.errata
    where target_mart = 'indicators'
    group by target_key
),

paper_cells as (
    select
        * exclude (edition_year),
        edition_year,
        edition_year::varchar as edition_label,
        cast(null as double) as score,
        cast(null as integer) as source_line
    from staging.stg_paper__verification
),

paper as (
    select paper_cells.*, errata.erratum
    from paper_cells
    left join errata on errata.target_key = concat_ws(
        '/', paper_cells.source_id, paper_cells.country_iso3, paper_cells.edition_year,
        paper_cells.factor_code, paper_cells.scope
    )
),

wjp as (
    select
        'wjp_roli' as source_id,
        format('roli.json: country {}, edition {}, measure {}; rank computed ({})',
               country_iso3, edition_label, measure_code, scope_name) as source_locator,
        cast(null as integer) as source_line,
        country_iso3,
        country_name,
        edition_year,
        edition_label,
        measure_code as factor_code,
        factor_name,
        cast(null as varchar) as paper_label,
        scope,
        scope_name,
        rank,
        n_ranked,
        cast(null as varchar) as missing_reason,
        cast(null as varchar) as cell_text,
        cast(null as varchar) as paper_citation_key,
        score,
        cast(null as varchar) as verification,
        cast(null as varchar) as verification_note,
        cast(null as varchar) as erratum
    from staging.stg_wjp__ranks
),

vdem as (
    select
        *,
        cast(null as varchar) as paper_label,
        cast(null as varchar) as cell_text,
        cast(null as varchar) as paper_citation_key,
        cast(null as varchar) as verification,
        cast(null as varchar) as verification_note,
        cast(null as varchar) as erratum
    from staging.stg_vdem__indicators
),

long_sources as (
    select
        *,
        cast(null as varchar) as paper_label,
        cast(null as varchar) as cell_text,
        cast(null as varchar) as paper_citation_key,
        cast(null as varchar) as verification,
        cast(null as varchar) as verification_note,
        cast(null as varchar) as erratum
    from staging.stg_sources__indicators
),

other_rows as (
    select * from paper
    union all by name
    select * from wjp
    union all by name
    select * from vdem
),

-- A long-format source's rows come with their country's status (staging joins the same codes
-- for their names): its millions of rows are joined once, not twice.
final as (
    select other_rows.*, codes.status as country_code_status
    from other_rows
    left join staging.stg_reference__country_codes as codes
        on codes.country_code = other_rows.country_iso3
    union all by name
    select * from long_sources
)

select * from final
