-- Public mart: every funding claim; claims for the same recipient, instrument and period that
-- give different amounts are flagged, none is chosen. Each claim lists the claims it overlaps:
-- the recipients nest (the same, or Central Asia and one of its countries), the periods meet,
-- and the instruments are not known to exclude each other (raw.funding_instruments: only a
-- bilateral allocation and the regional programme do). Adding overlapping claims double-counts.
with claims as (
    select claims.*, instruments.covers as instrument_covers
    from staging.stg_funding__claims as claims
    left join raw.funding_instruments as instruments
        on instruments.instrument = claims.instrument
),

central_asia as (
    select country_iso3 from raw.countries where is_central_asia
),

overlapping as (
    select
        a.claim_id,
        list(b.claim_id order by b.claim_id) as overlaps_claim_ids
    from claims as a
    inner join claims as b
        on b.claim_id <> a.claim_id
        and b.period_start_year <= a.period_end_year
        and a.period_start_year <= b.period_end_year
        and (
            b.recipient_code = a.recipient_code
            or (a.recipient_code = 'CENTRAL_ASIA'
                and b.recipient_code in (select country_iso3 from central_asia))
            or (b.recipient_code = 'CENTRAL_ASIA'
                and a.recipient_code in (select country_iso3 from central_asia))
        )
        and not (
            a.instrument_covers in ('bilateral', 'regional')
            and b.instrument_covers in ('bilateral', 'regional')
            and a.instrument_covers <> b.instrument_covers
        )
    group by a.claim_id
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
        coalesce(overlapping.overlaps_claim_ids, []) as overlaps_claim_ids,
        errata.erratum
    from claims
    inner join peers on peers.claim_id = claims.claim_id
    left join overlapping on overlapping.claim_id = claims.claim_id
    left join errata on errata.claim_id = claims.claim_id
)

select * from final
