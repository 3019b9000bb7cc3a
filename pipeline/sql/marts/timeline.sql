-- Public mart: the paper's dated events, oldest first, with errata attached.
with events as (
    select * from staging.stg_paper__timeline
)

select * from events
