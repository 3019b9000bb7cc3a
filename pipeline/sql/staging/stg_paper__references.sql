-- The paper's reference list, as transcribed.
with references_list as (
    select * from raw."references"
)

select * from references_list
