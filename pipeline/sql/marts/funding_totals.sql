-- One defensible figure per recipient and period, never a sum of claims that overlap: among the
-- claims with an amount, those of the best confidence (official, then the paper, then the
-- press); of those, a figure the source states as the recipient's overall total before one whose
-- scope it does not state, and that before a subtotal (some sectors, one programme); and of
-- those the largest, i.e. the widest envelope a source states. Every other claim
-- for the recipient is left out, with why (it overlaps the chosen one, or disputes it). A
-- recipient without any amount keeps its reason. Country figures are parts of the Central Asia
-- envelope: never add them to it.
with claims as (
    select * from marts.funding
),

ranked as (
    select
        *,
        row_number() over (
            partition by recipient_code, period_start_year, period_end_year
            order by
                amount_eur is null,
                case confidence when 'official' then 1 when 'paper' then 2 when 'press' then 3
                    else 4 end,
                case amount_scope when 'stated_total' then 1 when 'not_stated' then 2 else 3 end,
                amount_eur desc,
                claim_id
        ) as place
    from claims
),

chosen as (
    select * from ranked where place = 1
),

why_missing as (
    select
        recipient_code, period_start_year, period_end_year,
        string_agg(
            claim_id || ': ' || coalesce(amount_missing_reason, 'no amount'), '; '
            order by claim_id
        ) as reasons
    from claims
    group by all
),

left_out as (
    select
        chosen.claim_id as chosen_id,
        list(ranked.claim_id order by ranked.claim_id) as claim_ids,
        string_agg(
            ranked.claim_id || ': ' || case
                when ranked.amount_eur is null then 'no amount'
                when list_contains(chosen.competing_claim_ids, ranked.claim_id)
                    and ranked.amount_eur <> chosen.amount_eur
                    then 'disputes the chosen figure (' || coalesce(ranked.confidence, 'no')
                        || ' source)'
                when ranked.amount_scope = 'subtotal'
                    and list_contains(chosen.overlaps_claim_ids, ranked.claim_id)
                    then 'a subtotal (' || ranked.scope_as_stated || ') inside the chosen '
                        || 'stated total'
                when list_contains(chosen.overlaps_claim_ids, ranked.claim_id)
                    then 'overlaps the chosen figure'
                else 'a narrower figure for the same recipient'
            end,
            '; ' order by ranked.claim_id
        ) as reasons
    from chosen
    inner join ranked
        on ranked.recipient_code = chosen.recipient_code
        and ranked.period_start_year = chosen.period_start_year
        and ranked.period_end_year = chosen.period_end_year
        and ranked.place > 1
    group by chosen.claim_id
),

part_of as (
    select
        chosen.claim_id,
        list(distinct envelope.recipient_code order by envelope.recipient_code)
            as part_of_totals_of
    from chosen
    inner join chosen as envelope
        on envelope.recipient_code = 'CENTRAL_ASIA'
        and chosen.recipient_code <> 'CENTRAL_ASIA'
        and list_contains(envelope.overlaps_claim_ids, chosen.claim_id)
    group by chosen.claim_id
),

final as (
    select
        chosen.recipient_code,
        chosen.recipient_name,
        chosen.period_start_year,
        chosen.period_end_year,
        chosen.amount_eur as total_eur,
        case when chosen.amount_eur is null
            then 'No claim gives an amount. ' || why_missing.reasons
        end as total_missing_reason,
        case when chosen.amount_eur is not null then chosen.claim_id end as claim_id_used,
        case when chosen.amount_eur is not null then chosen.source_id end as source_id,
        case when chosen.amount_eur is not null then chosen.confidence end as confidence,
        case when chosen.amount_eur is null then [] else coalesce(left_out.claim_ids, []) end
            as claim_ids_left_out,
        case when chosen.amount_eur is not null then left_out.reasons end as left_out_reasons,
        coalesce(part_of.part_of_totals_of, []) as part_of_totals_of,
        'One claim, never a sum: among the claims of the best confidence (official, then the '
            || 'paper, then the press) for this recipient and period, the figure the source '
            || 'states as the overall total before one whose scope it does not state, and that '
            || 'before a subtotal (some sectors, one programme); then the largest.'
            as rule
    from chosen
    left join left_out on left_out.chosen_id = chosen.claim_id
    left join part_of on part_of.claim_id = chosen.claim_id
    inner join why_missing
        on why_missing.recipient_code = chosen.recipient_code
        and why_missing.period_start_year = chosen.period_start_year
        and why_missing.period_end_year = chosen.period_end_year
)

select * from final
order by recipient_code = 'CENTRAL_ASIA' desc, recipient_code, period_start_year
