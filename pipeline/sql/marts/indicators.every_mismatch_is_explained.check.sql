-- A paper cell that disagrees with WJP blocks the publish unless an erratum or an
-- acknowledged disagreement explains it.
select
    {{ row_key }} as row_key,
    source_locator || ': ' || verification_note as value,
    'verification' as "column",
    'a paper cell that disagrees with its primary source is explained' as rule,
    format(
        'correct the transcription in raw/paper/, or add an erratum or ' ||
        'acknowledged_disagreement to raw/reference/errata.csv with target_mart ' ||
        '''indicators'' and target_key ''{}''',
        {{ row_key }}
    ) as fix
from marts.indicators
where verification = 'mismatch' and erratum is null
