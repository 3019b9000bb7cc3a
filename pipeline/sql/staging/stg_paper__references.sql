-- The paper's reference list, as transcribed, with the check against publishers' records and
-- the errata it has (target_mart 'references').
with references_list as (
    select * from raw."references"
),

checks as (
    select * from raw.reference_checks
),

errata as (
    select target_key as reference_key, string_agg(correction, ' ' order by erratum_id) as erratum
    from raw.errata
    where target_mart = 'references'
    group by target_key
),

final as (
    select
        references_list.*,
        checks.check_status,
        coalesce(string_split(checks.record_urls, ';'), []) as check_record_urls,
        checks.note as check_note,
        errata.erratum
    from references_list
    left join checks on checks.reference_key = references_list.reference_key
    left join errata on errata.reference_key = references_list.reference_key
)

select * from final
