-- Public mart: ranks from every indicator source, told apart by source_id.
with paper as (
    select * from staging.stg_paper__indicators
)

select * from paper
