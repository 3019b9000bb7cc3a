-- Timeline events with their lists split and their errata (target_mart 'timeline') attached.
-- An event's category is one of raw.event_categories, the one place categories are defined
-- (raw/reference/event_categories.csv: a rule of the raw files refuses any other).
with events as (
    select * from raw.timeline_events
),

errata as (
    select
        target_key as event_id,
        string_agg(correction, ' ' order by erratum_id) as erratum,
        min(corrected_date) as erratum_event_date,
        flatten(list(coalesce(string_split(source_urls, ';'), []) order by erratum_id))
            as erratum_source_urls
    from raw.errata
    where target_mart = 'timeline'
    group by target_key
),

final as (
    select
        events.event_id,
        events.event_date,
        events.date_precision,
        events.date_as_printed,
        coalesce(list_filter(string_split(events.country_iso3s, ';'), lambda x: x <> ''), [])
            as country_iso3s,
        events.actor,
        categories.category,
        events.title,
        events.description,
        events.deaths_reported,
        'paper' as source_id,
        events.paper_section || ' section' as source_locator,
        events.paper_quote,
        coalesce(list_filter(string_split(events.citation_keys, ';'), lambda x: x <> ''), [])
            as citation_keys,
        events.citation_note,
        errata.erratum,
        errata.erratum_event_date,
        coalesce(errata.erratum_source_urls, []) as erratum_source_urls
    from events
    inner join raw.event_categories as categories on categories.category = events.category
    left join errata on errata.event_id = events.event_id
)

select * from final
