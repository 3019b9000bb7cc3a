-- Public mart: every claim of the paper a primary source we hold can check, with the evidence
-- (values and years) and a verdict computed from it by the claim's stated rule (raw/paper/
-- claims.csv). Nothing here is judged by hand: change the data and the verdict follows.
with claims as (
    select * from raw.claims
),

vdem as (
    select status = 'available' as ok, reason from raw.vdem_snapshot
),

wjp as (
    select status = 'available' as ok, reason from raw.wjp_snapshot
),

claim_countries as (
    select claim_id, unnest(string_split(country_iso3s, ';')) as iso3
    from claims
    where country_iso3s is not null
),

-- V-Dem's observation of each claim's countries in its year (to) and base year (from)
observed as (
    select
        claims.claim_id,
        claims.rule_kind,
        claims.subject_iso3,
        claim_countries.iso3,
        claims.year_from,
        claims.year_to,
        claims.threshold,
        now_.v2x_regime,
        regime_types.regime_type as regime_name,
        now_.v2x_polyarchy,
        base.v2x_polyarchy as base_polyarchy
    from claims
    inner join claim_countries on claim_countries.claim_id = claims.claim_id
    left join raw.vdem_ert as now_
        on now_.country_text_id = claim_countries.iso3 and now_.year = claims.year_to
    left join raw.vdem_ert as base
        on base.country_text_id = claim_countries.iso3 and base.year = claims.year_from
    -- V-Dem's names of the regime types (its codebook), as marts.indicators labels them
    left join raw.vdem_regime_types as regime_types on regime_types.v2x_regime = now_.v2x_regime
    where claims.rule_kind in ('only_democracy', 'all_autocracies', 'index_rises')
),

vdem_claims as (
    select
        claim_id,
        any_value(rule_kind) as rule_kind,
        bool_and(v2x_regime is not null and v2x_polyarchy is not null) as complete,
        string_agg(
            case when rule_kind = 'index_rises' then format(
                '{} v2x_polyarchy {} {} -> {} {} ({}{})', iso3, year_from,
                base_polyarchy, year_to, v2x_polyarchy,
                case when v2x_polyarchy >= base_polyarchy then '+' else '' end,
                round(v2x_polyarchy - base_polyarchy, 3)
            ) else format(
                '{} {}: v2x_regime {} ({}), v2x_polyarchy {}', iso3, year_to, v2x_regime,
                regime_name, v2x_polyarchy
            ) end,
            '; ' order by iso3
        ) as evidence,
        max(v2x_regime) filter (iso3 = subject_iso3) as subject_regime,
        max(v2x_regime) filter (iso3 <> subject_iso3) as others_max_regime,
        max(v2x_polyarchy) filter (iso3 = subject_iso3) as subject_index,
        max(v2x_polyarchy) filter (iso3 <> subject_iso3) as others_max_index,
        count(*) as countries,
        count(*) filter (v2x_regime <= 1) as autocracies,
        count(*) filter (v2x_polyarchy - base_polyarchy >= threshold) as risen
    from observed
    group by claim_id
),

vdem_verdicts as (
    select
        claim_id,
        evidence,
        case
            when not complete then 'not_checkable'
            when rule_kind = 'only_democracy' then case
                when subject_regime >= 2 and others_max_regime <= 1 then 'supported'
                when subject_index > others_max_index then 'partly_supported'
                else 'contradicted' end
            when rule_kind = 'all_autocracies' then case
                when autocracies = countries then 'supported'
                when autocracies > 0 then 'partly_supported'
                else 'contradicted' end
            else case
                when risen = countries then 'supported'
                when risen > 0 then 'partly_supported'
                else 'contradicted' end
        end as verdict
    from vdem_claims
),

-- autocratization episodes begun in the four years from year_to against the four before,
-- among the European and Asian countries as WJP groups them
europe_asia as (
    select country_iso3 from raw.wjp_countries
    where region in (
        'EU, EFTA, and North America', 'Eastern Europe and Central Asia',
        'East Asia and Pacific', 'South Asia'
    ) and country_iso3 not in ('USA', 'CAN')
),

episodes as (
    select distinct country_text_id, aut_ep_id, aut_ep_start_year
    from raw.vdem_ert
    where aut_ep_id is not null and country_text_id in (select country_iso3 from europe_asia)
),

wave_claims as (
    select
        claims.claim_id,
        (select count(*) from europe_asia) as countries,
        count(episodes.aut_ep_id) filter (
            episodes.aut_ep_start_year between claims.year_to and claims.year_to + 3
        ) as since,
        count(episodes.aut_ep_id) filter (
            episodes.aut_ep_start_year between claims.year_from and claims.year_to - 1
        ) as before,
        string_agg(distinct episodes.country_text_id || ' ' || episodes.aut_ep_start_year, ', '
                   order by episodes.country_text_id || ' ' || episodes.aut_ep_start_year)
            filter (episodes.aut_ep_start_year between claims.year_from and claims.year_to + 3)
            as starts
    from claims
    cross join episodes
    where claims.rule_kind = 'autocratization_since'
    group by claims.claim_id, claims.year_from, claims.year_to
),

wave_verdicts as (
    select
        claim_id,
        format(
            'Of {} European and Asian countries (WJP 2025 groups), {} began a V-Dem '
            || 'autocratization episode in 2020-2023 and {} in 2016-2019 (country and start '
            || 'year: {})', countries, since, before, coalesce(starts, 'none')
        ) as evidence,
        case
            when countries = 0 then 'not_checkable'
            when since > before then 'supported'
            else 'contradicted'
        end as verdict
    from wave_claims
),

-- WJP: which of the claim's countries the index scores, and their overall ranks
wjp_scores as (
    select
        claims.claim_id,
        claim_countries.iso3,
        scores.score,
        rank() over (partition by claims.claim_id order by scores.score desc) as place
    from claims
    inner join claim_countries on claim_countries.claim_id = claims.claim_id
    left join raw.wjp_scores as scores
        on scores.country_iso3 = claim_countries.iso3
        and scores.edition_year = claims.year_to
        and scores.measure_code = 'overall'
    where claims.rule_kind in ('wjp_coverage', 'best_in_group')
),

wjp_claims as (
    select
        claims.claim_id,
        claims.rule_kind,
        count(*) as countries,
        count(wjp_scores.score) as scored,
        string_agg(
            wjp_scores.iso3 || ' ' || coalesce('overall score ' || wjp_scores.score, 'no score'),
            '; ' order by wjp_scores.iso3
        ) as wjp_evidence,
        max(wjp_scores.score) filter (wjp_scores.iso3 = claims.subject_iso3) as subject_score,
        max(wjp_scores.score) filter (wjp_scores.iso3 <> claims.subject_iso3) as others_best,
        claims.year_to
    from claims
    inner join wjp_scores on wjp_scores.claim_id = claims.claim_id
    group by claims.claim_id, claims.rule_kind, claims.year_to
),

best_vdem as (
    select
        claims.claim_id,
        max(v.v2x_polyarchy) filter (v.country_text_id = claims.subject_iso3) as subject_index,
        max(v.v2x_polyarchy) filter (v.country_text_id <> claims.subject_iso3) as others_index,
        string_agg(v.country_text_id || ' v2x_polyarchy ' || v.v2x_polyarchy, '; '
                   order by v.country_text_id) as vdem_evidence
    from claims
    inner join claim_countries on claim_countries.claim_id = claims.claim_id
    inner join raw.vdem_ert as v
        on v.country_text_id = claim_countries.iso3 and v.year = claims.year_to
    where claims.rule_kind = 'best_in_group'
    group by claims.claim_id
),

wjp_verdicts as (
    select
        wjp_claims.claim_id,
        'WJP ' || wjp_claims.year_to || ': ' || wjp_claims.wjp_evidence
            || coalesce('. V-Dem ' || wjp_claims.year_to || ': ' || best_vdem.vdem_evidence, '')
            as evidence,
        case
            when (select not ok from wjp) then 'not_checkable'
            when wjp_claims.rule_kind = 'wjp_coverage' then case
                when wjp_claims.scored = wjp_claims.countries then 'supported'
                when wjp_claims.scored > 0 then 'partly_supported'
                else 'contradicted' end
            when best_vdem.subject_index is null then 'not_checkable'
            when wjp_claims.subject_score > coalesce(wjp_claims.others_best, -1)
                and best_vdem.subject_index > best_vdem.others_index then 'supported'
            when wjp_claims.subject_score > coalesce(wjp_claims.others_best, -1)
                or best_vdem.subject_index > best_vdem.others_index then 'partly_supported'
            else 'contradicted'
        end as verdict
    from wjp_claims
    left join best_vdem on best_vdem.claim_id = wjp_claims.claim_id
),

-- the paper's tables against WJP, cell by cell (marts.indicators)
cells as (
    select
        count(*) filter (verification = 'verified') as verified,
        count(*) filter (verification = 'unverifiable') as unverifiable,
        count(*) filter (verification = 'not_checked') as not_checked,
        count(*) filter (verification = 'mismatch' and erratum is null) as unexplained,
        count(*) filter (verification = 'mismatch' and erratum is not null) as explained,
        count(*) as total
    from marts.indicators
    where source_id like 'paper_%'
),

table_verdicts as (
    select
        claims.claim_id,
        format(
            '{} cells: {} verified, {} mismatched ({} explained by errata), {} unverifiable, '
            || '{} not checked (marts.paper_verification)', total, verified,
            unexplained + explained, explained, unverifiable, not_checked
        ) as evidence,
        case
            when verified + unexplained + explained = 0 then 'not_checkable'
            when unexplained > 0 then 'contradicted'
            when explained > 0 then 'partly_supported'
            else 'supported'
        end as verdict
    from claims
    cross join cells
    where claims.rule_kind = 'tables_verified'
),

-- errata of the mart row that states the claim
claim_errata as (
    select
        claims.claim_id,
        string_agg(errata.correction, ' ' order by errata.erratum_id) as erratum,
        string_agg(
            format('{} ({}): {}', errata.erratum_id, errata.confidence,
                   coalesce(errata.source_urls, 'no source')),
            '; ' order by errata.erratum_id
        ) as evidence,
        bool_or(errata.confidence = 'confirmed') as confirmed,
        bool_or(errata.confidence = 'probable') as probable
    from claims
    inner join raw.errata as errata
        on errata.target_mart = claims.target_mart and errata.target_key = claims.target_key
    group by claims.claim_id
),

erratum_verdicts as (
    select
        claims.claim_id,
        coalesce(claim_errata.evidence, 'No erratum for ' || claims.target_mart || ' '
                 || claims.target_key) as evidence,
        case
            when claim_errata.confirmed then 'contradicted'
            when claim_errata.probable then 'partly_supported'
            else 'not_checkable'
        end as verdict
    from claims
    left join claim_errata on claim_errata.claim_id = claims.claim_id
    where claims.rule_kind = 'erratum'
),

verdicts as (
    select * from vdem_verdicts
    union all select * from wave_verdicts
    union all select * from wjp_verdicts
    union all select * from table_verdicts
    union all select * from erratum_verdicts
),

final as (
    select
        claims.claim_id,
        claims.paper_quote,
        claims.paper_section || ': ' || claims.source_locator as source_locator,
        coalesce(string_split(claims.country_iso3s, ';'), []) as country_iso3s,
        string_split(claims.checked_against, ';') as checked_against,
        claims.rule_kind,
        case
            when list_contains(string_split(claims.checked_against, ';'), 'vdem_ert')
                and not (select ok from vdem)
                then 'V-Dem unavailable in this refresh: ' || (select reason from vdem)
            when list_contains(string_split(claims.checked_against, ';'), 'wjp_roli')
                and not (select ok from wjp)
                then 'WJP unavailable in this refresh: ' || (select reason from wjp)
            else coalesce(verdicts.evidence, 'no evidence')
        end as evidence,
        case
            when list_contains(string_split(claims.checked_against, ';'), 'vdem_ert')
                and not (select ok from vdem) then 'not_checkable'
            when list_contains(string_split(claims.checked_against, ';'), 'wjp_roli')
                and not (select ok from wjp) then 'not_checkable'
            else coalesce(verdicts.verdict, 'not_checkable')
        end as verdict,
        claims.rule,
        claims.note,
        claim_errata.erratum
    from claims
    left join verdicts on verdicts.claim_id = claims.claim_id
    left join claim_errata on claim_errata.claim_id = claims.claim_id
)

select * from final
