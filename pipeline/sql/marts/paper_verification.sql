-- How much of the paper the primary source confirms: cells per table, scope and status.
select
    case source_id when 'paper_table1' then 'Table 1' when 'paper_table2' then 'Table 2' end
        as paper_table,
    scope,
    verification,
    count(*) as cells
from marts.indicators
where source_id like 'paper_%'
group by all
order by paper_table, scope, verification
