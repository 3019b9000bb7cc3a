-- Public mart: every funding claim; claims for the same recipient, instrument and period that
-- give different amounts are flagged, none is chosen.
with claims as (
    select * from staging.stg_funding__claims
),

peers as (
    select
        a.claim_id,
        list(b.claim_id order by b.claim_id) filter (where b.claim_id is not null)
            as competing_claim_ids,
        coalesce(bool_or(b.amount_eur is distinct from a.amount_eur
                         and b.amount_eur is not null and a.amount_eur is not null), false)
            as is_disputed
    from claims as a
    left join claims as b
        on b.recipient_code = a.recipient_code
        and b.instrument = a.instrument
        and b.period_start_year = a.period_start_year
        and b.period_end_year = a.period_end_year
        and b.claim_id <> a.claim_id
    group by a.claim_id
),

errata as (
    select target_key as claim_id, string_agg(correction, ' ' order by erratum_id) as erratum
    from raw.errata
    where target_mart = 'funding'
    group by target_key
),

final as (
    select
        claims.*,
        claims.amount_eur is not null as is_amount_known,
        peers.is_disputed,
        coalesce(peers.competing_claim_ids, []) as competing_claim_ids,
        errata.erratum
    from claims
    inner join peers on peers.claim_id = claims.claim_id
    left join errata on errata.claim_id = claims.claim_id
)

select * from final
