-- Public mart: the paper's reference list.
with references_list as (
    select * from staging.stg_paper__references
)

select * from references_list
