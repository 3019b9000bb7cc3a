-- A computed rank that differs from WJP's published one blocks the publish unless the
-- difference is only the order of a 4-decimal tie.
select
    {{ row_key }} as row_key,
    explanation as value,
    'agreement' as "column",
    'a computed WJP rank equals the published one, up to the order of a 4-decimal tie' as rule,
    'check the rank rule in sql/staging/stg_wjp__ranks.sql against WJP''s methodology, or ' ||
    'the snapshot''s ranks against WJP''s site' as fix
from marts.wjp_rank_comparison
where agreement = 'differs'
