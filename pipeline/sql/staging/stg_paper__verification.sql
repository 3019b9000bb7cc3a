-- Every paper cell checked against the WJP snapshot: verified, mismatch, unverifiable (the
-- source lacks what the claim needs) or not_checked (no snapshot in this refresh).
with paper as (
    select * from staging.stg_paper__indicators
),

snapshot as (
    select * from raw.wjp_snapshot
),

wjp as (
    select * from staging.stg_wjp__ranks
),

-- The paper's region (Table 2's note) against WJP's 2025 region of the same country, limited
-- to countries with a score in the edition: only when the two sets are equal can a regional
-- rank be checked.
paper_region as (
    select list_sort(list(country_iso3)) as members from raw.table2_region_members
),

wjp_region as (
    select
        wjp.country_iso3 as ranked_country,
        wjp.edition_year,
        wjp.measure_code,
        list_sort(list(others.country_iso3)) as members
    from wjp
    inner join wjp as others
        on others.scope = 'region'
        and others.edition_year = wjp.edition_year
        and others.measure_code = wjp.measure_code
        and others.region = wjp.region
    where wjp.scope = 'region'
    group by all
),

compared as (
    select
        paper.*,
        wjp.rank as source_rank,
        wjp.n_ranked as source_n_ranked,
        wjp.score as source_score,
        wjp.scope_name as source_scope_name,
        wjp_region.members as source_region_members,
        paper_region.members as paper_region_members
    from paper
    cross join paper_region
    left join wjp
        on wjp.country_iso3 = paper.country_iso3
        and wjp.edition_year = paper.edition_year
        and wjp.measure_code = paper.factor_code
        and wjp.scope = paper.scope
    left join wjp_region
        on wjp_region.ranked_country = paper.country_iso3
        and wjp_region.edition_year = paper.edition_year
        and wjp_region.measure_code = paper.factor_code
),

judged as (
    select
        compared.*,
        case
            when (select status from snapshot) <> 'available' then 'not_checked'
            when scope = 'income_group' then 'unverifiable'
            when scope = 'region' and source_region_members is distinct from paper_region_members
                then 'unverifiable'
            when rank is null and source_rank is null then 'verified'
            when rank is null or source_rank is null then 'mismatch'
            when rank = source_rank and (n_ranked is null or n_ranked = source_n_ranked)
                then 'verified'
            else 'mismatch'
        end as verification
    from compared
),

final as (
    select
        judged.* exclude (
            source_rank, source_n_ranked, source_score, source_scope_name,
            source_region_members, paper_region_members
        ),
        case
            when verification = 'not_checked' then
                'WJP snapshot unavailable in this refresh: ' || (select reason from snapshot)
            when scope = 'income_group' then
                'The source gives only 2025 income groups; the ' || edition_year
                || ' grouping the paper ranks within (' || coalesce(n_ranked::varchar, '?')
                || ' countries) is not in the source.'
            when scope = 'region' and verification = 'unverifiable' then
                'The source gives only 2025 regions; its region for this edition ('
                || coalesce(array_to_string(source_region_members, ', '), 'none')
                || ') differs from the paper''s list ('
                || array_to_string(paper_region_members, ', ') || ').'
            when rank is null and source_rank is null then
                'Paper: no data. Source: no ' || edition_year || ' score for ' || country_iso3
                || ' (' || factor_code || ').'
            when source_rank is null then
                'Paper: rank ' || rank || '. Source: no ' || edition_year || ' score for '
                || country_iso3 || ' (' || factor_code || ').'
            else
                'Paper: ' || coalesce(rank::varchar, 'no data')
                || coalesce('/' || n_ranked, '') || '. Source: ' || source_rank || '/'
                || source_n_ranked || ' (score ' || source_score || ', rank computed among '
                || source_scope_name || ', competition ranking on 4-decimal scores)'
                || case when scope = 'region' then '; regions match the paper''s list.'
                        else '.' end
        end as verification_note
    from judged
)

select * from final
