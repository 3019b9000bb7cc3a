-- Every funding claim with its source, plus Figure 1's bars (labels known, values not in the
-- text) as claims of the paper with unknown amounts.
with claims as (
    select * from raw.funding_claims
),

figure_bars as (
    select
        'paper_figure1_' || lower(bars.label_as_printed) as claim_id,
        bars.country_iso3 as recipient_code,
        countries.country_name as recipient_name,
        'human_rights_assistance' as instrument,
        'EU financial assistance for human rights (Figure 1 bar "' || bars.label_as_printed
            || '")' as scope_as_stated,
        bars.period_start_year,
        bars.period_end_year,
        bars.amount_eur,
        'EUR' as currency,
        'not_transcribed' as amount_qualifier,
        'not_stated' as amount_scope,
        bars.amount_missing_reason,
        'paper' as source_id,
        format('Figure 1, bar "{}" (source line: {})', bars.label_as_printed,
               bars.figure_source_as_printed) as source_locator,
        'paper' as confidence
    from raw.figure1_bars as bars
    inner join raw.countries as countries on countries.country_iso3 = bars.country_iso3
),

all_claims as (
    select * from claims
    union all by name
    select * from figure_bars
),

final as (
    select
        all_claims.*,
        sources.title as source_title,
        sources.url as source_url
    from all_claims
    left join raw.sources as sources on sources.source_id = all_claims.source_id
)

select * from final
