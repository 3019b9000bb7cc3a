-- Every erratum points at an existing row of its target mart, by that mart's primary key,
-- and the row carries it.
select
    {{ row_key }} as row_key,
    target_mart || ': ' || target_key as value,
    'raw/reference/errata.csv' as file,
    'target_key' as "column",
    'an erratum points at a row of its target mart, by the mart''s primary key' as rule
from marts.errata
where target_mart in ({{ errata_targets }})
    and (target_mart, target_key) not in (
        select mart, key from ({{ errata_target_keys }})
    )
