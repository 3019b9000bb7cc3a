-- A reference checked as verified that an erratum corrects blocks the publish:
-- reference_checks.csv and errata.csv must agree.
select
    {{ row_key }} as row_key,
    erratum as value,
    'raw/reference/reference_checks.csv' as file,
    'check_status' as "column",
    'a reference that carries an erratum is not verified' as rule,
    'set its check_status to discrepancy (and say why in its note), or remove the erratum ' ||
    'from raw/reference/errata.csv if it is wrong' as fix
from marts."references"
where check_status = 'verified' and erratum is not null
