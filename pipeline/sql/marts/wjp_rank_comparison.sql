-- WJP's published 2025 ranks beside the ranks computed from its scores (staging.stg_wjp__ranks),
-- one row per country x measure x scope. The computed rule gives countries tied at 4 decimals
-- the same rank (1, 2, 2, 4); WJP publishes distinct ranks for them, ordering the tie by
-- something the snapshot does not hold (presumably the unrounded scores). A difference is
-- explained when it is exactly that: the country is tied, and its published rank lies within
-- the places the tie occupies. Any other difference is 'differs' and blocks the publish.
with published as (
    select * from raw.wjp_published_ranks
),

computed as (
    select
        country_iso3, country_name, edition_year, measure_code, scope, scope_name, score, rank,
        n_ranked,
        -- the partition the rank was computed in: all, one region, or one income group
        case scope when 'global' then 'all' when 'region' then region else income_group end
            as ranked_within
    from staging.stg_wjp__ranks
),

tie_groups as (
    select
        a.country_iso3, a.edition_year, a.measure_code, a.scope,
        list(b.country_iso3 order by b.country_iso3)
            filter (where b.country_iso3 <> a.country_iso3) as tied_with
    from computed as a
    inner join computed as b
        on b.edition_year = a.edition_year
        and b.measure_code = a.measure_code
        and b.scope = a.scope
        and b.ranked_within = a.ranked_within
        and b.score = a.score
    group by all
),

joined as (
    select
        'wjp_roli' as source_id,
        published.country_iso3,
        computed.country_name,
        published.edition_year,
        published.measure_code,
        published.scope,
        computed.scope_name,
        computed.score,
        computed.rank as computed_rank,
        computed.n_ranked as computed_n_ranked,
        published.rank as published_rank,
        published.n_ranked as published_n_ranked,
        coalesce(tie_groups.tied_with, []) as tied_with
    from published
    left join computed
        on computed.country_iso3 = published.country_iso3
        and computed.edition_year = published.edition_year
        and computed.measure_code = published.measure_code
        and computed.scope = published.scope
    left join tie_groups
        on tie_groups.country_iso3 = published.country_iso3
        and tie_groups.edition_year = published.edition_year
        and tie_groups.measure_code = published.measure_code
        and tie_groups.scope = published.scope
),

judged as (
    select
        *,
        case
            when computed_rank = published_rank and computed_n_ranked = published_n_ranked
                then 'same'
            when computed_n_ranked = published_n_ranked
                and len(tied_with) > 0
                and published_rank between computed_rank and computed_rank + len(tied_with)
                then 'tie_order'
            else 'differs'
        end as agreement
    from joined
),

final as (
    select
        *,
        case agreement
            when 'same' then null
            when 'tie_order' then format(
                'Tied at {:.4f} (4 decimals) with {}: the rule here ranks all {} countries {}; '
                || 'WJP publishes distinct ranks {}-{} for them and places {} {}.',
                score, array_to_string(tied_with, ', '), len(tied_with) + 1, computed_rank,
                computed_rank, computed_rank + len(tied_with), country_iso3, published_rank
            )
            else case
                when computed_rank is null
                    then 'WJP publishes a rank for a country or measure without a score here.'
                else format(
                    'Computed {} of {}, published {} of {}: not explained by a 4-decimal tie.',
                    computed_rank, computed_n_ranked, published_rank, published_n_ranked
                )
            end
        end as explanation
    from judged
)

select * from final
order by edition_year, measure_code, scope, published_rank, country_iso3
