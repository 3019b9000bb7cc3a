-- Public mart: the countries the data names.
with countries as (
    select * from staging.stg_reference__countries
)

select * from countries
