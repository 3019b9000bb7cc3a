-- Ranks computed from WJP's published scores, per edition and measure, in three scopes.
-- Tie rule: competition ranking (1, 2, 2, 4) on the scores as published (4 decimals), i.e.
-- SQL rank() over the score rounded to 4 decimals, best (highest) first. Region and income
-- group are WJP's 2025 groupings (the snapshot has no historical ones).
with scores as (
    select
        scores.country_iso3,
        countries.country_name,
        countries.region,
        countries.income_group,
        scores.edition_year,
        scores.edition_label,
        scores.measure_code,
        round(scores.score, 4) as score
    from raw.wjp_scores as scores
    inner join raw.wjp_countries as countries on countries.country_iso3 = scores.country_iso3
),

measure_names as (
    select
        measures.measure_code,
        coalesce(
            crosswalk.wjp_factor_name,
            'Sub-factor ' || substr(measures.measure_code, 3) || ' of '
                || parent.wjp_factor_name
        ) as factor_name
    from (select distinct measure_code from scores) as measures
    left join raw.factor_crosswalk as crosswalk
        on crosswalk.factor_code = measures.measure_code
    left join raw.factor_crosswalk as parent
        on parent.factor_code = 'F' || substr(measures.measure_code, 3, 1)
        and measures.measure_code like 'SF%'
),

global_ranks as (
    select
        *,
        'global' as scope,
        'all countries with a score in this edition' as scope_name,
        rank() over (partition by edition_year, measure_code order by score desc) as rank,
        count(*) over (partition by edition_year, measure_code) as n_ranked
    from scores
),

region_ranks as (
    select
        *,
        'region' as scope,
        region || ' (WJP 2025 grouping)' as scope_name,
        rank() over (partition by edition_year, measure_code, region order by score desc) as rank,
        count(*) over (partition by edition_year, measure_code, region) as n_ranked
    from scores
),

income_ranks as (
    select
        *,
        'income_group' as scope,
        income_group || ' income (WJP 2025 grouping)' as scope_name,
        rank() over (
            partition by edition_year, measure_code, income_group order by score desc
        ) as rank,
        count(*) over (partition by edition_year, measure_code, income_group) as n_ranked
    from scores
),

all_ranks as (
    select * from global_ranks
    union all by name
    select * from region_ranks
    union all by name
    select * from income_ranks
),

final as (
    select
        all_ranks.*,
        measure_names.factor_name
    from all_ranks
    inner join measure_names on measure_names.measure_code = all_ranks.measure_code
)

select * from final
