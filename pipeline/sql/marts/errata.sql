-- Public mart: every error of the paper found against public sources, with the paper's words,
-- the correction and its sources, keyed to the row it touches in another mart.
with errata as (
    select * from raw.errata
),

final as (
    select
        erratum_id,
        kind,
        target_mart,
        target_key,
        target_field,
        paper_says,
        correction as erratum,
        corrected_value,
        corrected_date,
        confidence,
        coalesce(string_split(source_urls, ';'), []) as source_urls,
        coalesce(string_split(source_descriptions, ';'), []) as source_descriptions,
        date_accessed,
        notes
    from errata
)

select * from final
