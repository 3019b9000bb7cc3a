-- Public mart: every checkable claim of the paper, with the evidence (values and years) and a
-- verdict computed from it by the claim's stated rule (raw/paper/claims.csv), under the stated
-- reading and under every variant of it stated with the rule (raw/paper/claim_variants.csv).
-- Nothing here is judged by hand: change the data and the verdict follows. A claim whose verdict
-- changes across its variants is not robust, and at most partly supported.
with claims as (
    select * from raw.claims
),

vdem as (
    select status = 'available' as ok, reason from raw.vdem_snapshot
),

wjp as (
    select status = 'available' as ok, reason from raw.wjp_snapshot
),

vdem_last as (
    select max(year) as last_year from raw.vdem_ert
),

-- every reading of every claim: the stated one, and each variant (an empty parameter keeps the
-- stated value)
readings as (
    select
        claim_id, 'stated' as variant_id, 'as stated' as description, rule_kind, subject_iso3,
        country_iso3s, year_from, year_to, threshold, measure, window_years,
        coalesce(beyond_interval, false) as beyond_interval, country_scope
    from claims
    union all
    select
        variants.claim_id,
        variants.variant_id,
        variants.description,
        claims.rule_kind,
        claims.subject_iso3,
        claims.country_iso3s,
        coalesce(variants.year_from, claims.year_from),
        coalesce(variants.year_to, claims.year_to),
        coalesce(variants.threshold, claims.threshold),
        coalesce(variants.measure, claims.measure),
        coalesce(variants.window_years, claims.window_years),
        coalesce(variants.beyond_interval, claims.beyond_interval, false),
        coalesce(variants.country_scope, claims.country_scope)
    from raw.claim_variants as variants
    inner join claims on claims.claim_id = variants.claim_id
),

reading_countries as (
    select claim_id, variant_id, unnest(string_split(country_iso3s, ';')) as iso3
    from readings
    where country_iso3s is not null
),

-- V-Dem: each reading's countries in its year (to) and base year (from), with the intervals
observed as (
    select
        readings.claim_id,
        readings.variant_id,
        readings.rule_kind,
        readings.subject_iso3,
        readings.beyond_interval,
        reading_countries.iso3,
        readings.year_from,
        readings.year_to,
        readings.threshold,
        now_.v2x_regime,
        regime_types.regime_type as regime_name,
        now_.v2x_polyarchy,
        now_.v2x_polyarchy_codelow as now_low,
        now_.v2x_polyarchy_codehigh as now_high,
        base.v2x_polyarchy as base_polyarchy,
        base.v2x_polyarchy_codelow as base_low,
        base.v2x_polyarchy_codehigh as base_high,
        now_.v2x_polyarchy - base.v2x_polyarchy as delta
    from readings
    inner join reading_countries
        on reading_countries.claim_id = readings.claim_id
        and reading_countries.variant_id = readings.variant_id
    left join raw.vdem_ert as now_
        on now_.country_text_id = reading_countries.iso3 and now_.year = readings.year_to
    left join raw.vdem_ert as base
        on base.country_text_id = reading_countries.iso3 and base.year = readings.year_from
    -- V-Dem's names of the regime types (its codebook), as marts.indicators labels them
    left join raw.vdem_regime_types as regime_types on regime_types.v2x_regime = now_.v2x_regime
    where readings.rule_kind in (
        'only_democracy', 'all_autocracies', 'index_rises', 'index_falls', 'region_rises',
        'worst_in_group'
    )
),

-- a change counts when it reaches the threshold and, where the reading asks, lies beyond
-- V-Dem's interval (the two years' intervals do not overlap)
changes as (
    select
        *,
        rule_kind in ('index_rises', 'index_falls', 'region_rises') as compares_years,
        delta >= threshold and (not beyond_interval or now_low > base_high) as rose,
        -delta >= threshold and (not beyond_interval or now_high < base_low) as fell
    from observed
),

vdem_claims as (
    select
        claim_id,
        variant_id,
        any_value(rule_kind) as rule_kind,
        any_value(beyond_interval) as beyond_interval,
        any_value(threshold) as threshold,
        any_value(year_from) as year_from,
        any_value(year_to) as year_to,
        bool_and(
            v2x_regime is not null and v2x_polyarchy is not null
            and (not compares_years or base_polyarchy is not null)
        ) as complete,
        string_agg(
            case when compares_years then format(
                '{} v2x_polyarchy {} {} [{}, {}] -> {} {} [{}, {}] ({}{}{})', iso3, year_from,
                base_polyarchy, base_low, base_high, year_to, v2x_polyarchy, now_low, now_high,
                case when delta >= 0 then '+' else '' end, round(delta, 3),
                case when rose then ', a rise' when fell then ', a fall'
                    when beyond_interval then ', within the interval or below the threshold'
                    else ', below the threshold' end
            ) else format(
                '{} {}: v2x_regime {} ({}), v2x_polyarchy {} [{}, {}]', iso3, year_to,
                v2x_regime, regime_name, v2x_polyarchy, now_low, now_high
            ) end,
            '; ' order by iso3
        ) as evidence,
        max(v2x_regime) filter (iso3 = subject_iso3) as subject_regime,
        max(v2x_regime) filter (iso3 <> subject_iso3) as others_max_regime,
        max(v2x_polyarchy) filter (iso3 = subject_iso3) as subject_index,
        max(now_low) filter (iso3 = subject_iso3) as subject_low,
        max(now_high) filter (iso3 = subject_iso3) as subject_high,
        max(v2x_polyarchy) filter (iso3 <> subject_iso3) as others_max_index,
        max(now_high) filter (iso3 <> subject_iso3) as others_max_high,
        min(v2x_polyarchy) filter (iso3 <> subject_iso3) as others_min_index,
        min(now_low) filter (iso3 <> subject_iso3) as others_min_low,
        count(*) as countries,
        count(*) filter (v2x_regime <= 1) as autocracies,
        count(*) filter (rose) as risen,
        count(*) filter (fell) as fallen,
        avg(base_polyarchy) as base_mean,
        avg(v2x_polyarchy) as now_mean
    from changes
    group by claim_id, variant_id
),

vdem_verdicts as (
    select
        claim_id,
        variant_id,
        evidence || case when rule_kind = 'region_rises' then format(
            '; mean of the {} {} {} -> {} {} ({}{}); {} rose, {} fell', countries, year_from,
            round(base_mean, 3), year_to, round(now_mean, 3),
            case when now_mean >= base_mean then '+' else '' end, round(now_mean - base_mean, 3),
            risen, fallen
        ) else '' end as evidence,
        case
            when not complete then 'not_checkable'
            when rule_kind = 'only_democracy' then case
                when subject_regime >= 2 and others_max_regime <= 1 then 'supported'
                when beyond_interval and subject_low > others_max_high then 'partly_supported'
                when not beyond_interval and subject_index > others_max_index
                    then 'partly_supported'
                else 'contradicted' end
            when rule_kind = 'all_autocracies' then case
                when autocracies = countries then 'supported'
                when autocracies > 0 then 'partly_supported'
                else 'contradicted' end
            when rule_kind = 'worst_in_group' then case
                when beyond_interval and subject_high < others_min_low then 'supported'
                when not beyond_interval and subject_index < others_min_index then 'supported'
                when subject_index < others_min_index then 'partly_supported'
                else 'contradicted' end
            when rule_kind = 'region_rises' then case
                (now_mean - base_mean >= threshold)::int + (risen > fallen)::int
                when 2 then 'supported' when 1 then 'partly_supported' else 'contradicted' end
            when rule_kind = 'index_falls' then case
                when fallen = countries then 'supported'
                when fallen > 0 then 'partly_supported'
                else 'contradicted' end
            else case
                when risen = countries then 'supported'
                when risen > 0 then 'partly_supported'
                else 'contradicted' end
        end as verdict
    from vdem_claims
),

-- autocratization: episodes begun in the window from year_to against the window before, and the
-- countries in an ongoing episode a year, among the European and Asian countries as WJP groups
-- them (or every country V-Dem covers)
europe_asia as (
    select country_iso3 from raw.wjp_countries
    where region in (
        'EU, EFTA, and North America', 'Eastern Europe and Central Asia',
        'East Asia and Pacific', 'South Asia'
    ) and country_iso3 not in ('USA', 'CAN')
),

scope_countries as (
    select readings.claim_id, readings.variant_id, covered.country_text_id as iso3
    from readings
    inner join (select distinct country_text_id from raw.vdem_ert) as covered
        on readings.country_scope = 'world'
        or covered.country_text_id in (select country_iso3 from europe_asia)
    where readings.rule_kind = 'autocratization_since'
),

episodes as (
    select
        country_text_id,
        aut_ep_id,
        aut_ep_start_year as start_year,
        max(aut_ep_censored) as censored
    from raw.vdem_ert
    where aut_ep_id is not null
    group by country_text_id, aut_ep_id, aut_ep_start_year
),

wave_windows as (
    select
        claim_id, variant_id, measure, country_scope,
        year_to as since_from,
        year_to + window_years - 1 as since_to,
        year_to - window_years as before_from,
        year_to - 1 as before_to
    from readings
    where rule_kind = 'autocratization_since'
),

wave_counts as (
    select
        windows.claim_id,
        windows.variant_id,
        count(distinct scope.iso3) as countries,
        count(distinct episodes.aut_ep_id) filter (
            episodes.start_year between windows.since_from and windows.since_to
        ) as since,
        count(distinct episodes.aut_ep_id) filter (
            episodes.start_year between windows.before_from and windows.before_to
        ) as before,
        count(distinct episodes.aut_ep_id) filter (
            episodes.start_year between windows.since_from and windows.since_to
            and episodes.censored = 1
        ) as since_open,
        string_agg(
            distinct episodes.country_text_id || ' ' || episodes.start_year, ', '
            order by episodes.country_text_id || ' ' || episodes.start_year
        ) filter (episodes.start_year between windows.before_from and windows.since_to)
            as starts
    from wave_windows as windows
    inner join scope_countries as scope
        on scope.claim_id = windows.claim_id and scope.variant_id = windows.variant_id
    left join episodes on episodes.country_text_id = scope.iso3
    group by windows.claim_id, windows.variant_id
),

wave_yearly as (
    select scope.claim_id, scope.variant_id, ert.year, count(*) filter (ert.aut_ep = 1) as ongoing
    from scope_countries as scope
    inner join raw.vdem_ert as ert on ert.country_text_id = scope.iso3
    group by scope.claim_id, scope.variant_id, ert.year
),

wave_ongoing as (
    select
        windows.claim_id,
        windows.variant_id,
        avg(yearly.ongoing) filter (yearly.year between windows.since_from and windows.since_to)
            as since_mean,
        avg(yearly.ongoing) filter (yearly.year between windows.before_from and windows.before_to)
            as before_mean,
        count(*) filter (yearly.year between windows.since_from and windows.since_to)
            as since_years
    from wave_windows as windows
    inner join wave_yearly as yearly
        on yearly.claim_id = windows.claim_id and yearly.variant_id = windows.variant_id
    group by windows.claim_id, windows.variant_id
),

wave_verdicts as (
    select
        windows.claim_id,
        windows.variant_id,
        format(
            'Of {} {} V-Dem covers, {} began an autocratization episode in {}-{} and {} in {}-{}; '
            || 'countries in an ongoing episode, mean a year: {} in {}-{} against {} in {}-{}. '
            || 'Right-censored: {} of the episodes begun in {}-{} are still open in V-Dem''s last '
            || 'year, {}, and an episode registers only once the index has fallen by 0.10, so the '
            || 'latest starts are undercounted (country and start year: {})',
            coalesce(counts.countries, 0),
            case windows.country_scope when 'world' then 'countries'
                else 'European and Asian countries (WJP 2025 groups)' end,
            coalesce(counts.since, 0), windows.since_from, windows.since_to,
            coalesce(counts.before, 0), windows.before_from, windows.before_to,
            round(ongoing.since_mean, 2), windows.since_from, windows.since_to,
            round(ongoing.before_mean, 2), windows.before_from, windows.before_to,
            coalesce(counts.since_open, 0), windows.since_from, windows.since_to,
            (select last_year from vdem_last), coalesce(counts.starts, 'none')
        ) as evidence,
        case
            when coalesce(counts.countries, 0) = 0 then 'not_checkable'
            when ongoing.since_years < windows.since_to - windows.since_from + 1
                then 'not_checkable'
            when windows.measure = 'starts' then case
                when counts.since > counts.before then 'supported' else 'contradicted' end
            when windows.measure = 'ongoing' then case
                when ongoing.since_mean > ongoing.before_mean then 'supported'
                else 'contradicted' end
            else case
                (counts.since > counts.before)::int
                + (ongoing.since_mean > ongoing.before_mean)::int
                when 2 then 'supported' when 1 then 'partly_supported' else 'contradicted' end
        end as verdict
    from wave_windows as windows
    left join wave_counts as counts
        on counts.claim_id = windows.claim_id and counts.variant_id = windows.variant_id
    left join wave_ongoing as ongoing
        on ongoing.claim_id = windows.claim_id and ongoing.variant_id = windows.variant_id
),

-- WJP: which of the reading's countries the index scores on its measure, and who leads
wjp_scores as (
    select
        readings.claim_id,
        readings.variant_id,
        reading_countries.iso3,
        scores.score
    from readings
    inner join reading_countries
        on reading_countries.claim_id = readings.claim_id
        and reading_countries.variant_id = readings.variant_id
    left join raw.wjp_scores as scores
        on scores.country_iso3 = reading_countries.iso3
        and scores.edition_year = readings.year_to
        and scores.measure_code = readings.measure
    where readings.rule_kind in ('wjp_coverage', 'best_in_group')
),

wjp_claims as (
    select
        readings.claim_id,
        readings.variant_id,
        readings.rule_kind,
        readings.year_to,
        count(*) as countries,
        count(wjp_scores.score) as scored,
        string_agg(
            wjp_scores.iso3 || ' ' || coalesce(
                readings.measure || ' score ' || wjp_scores.score, 'no score'
            ),
            '; ' order by wjp_scores.iso3
        ) as wjp_evidence,
        max(wjp_scores.score) filter (wjp_scores.iso3 = readings.subject_iso3) as subject_score,
        max(wjp_scores.score) filter (wjp_scores.iso3 <> readings.subject_iso3) as others_best
    from readings
    inner join wjp_scores
        on wjp_scores.claim_id = readings.claim_id and wjp_scores.variant_id = readings.variant_id
    group by all
),

best_vdem as (
    select
        readings.claim_id,
        readings.variant_id,
        max(v.v2x_polyarchy) filter (v.country_text_id = readings.subject_iso3) as subject_index,
        max(v.v2x_polyarchy) filter (v.country_text_id <> readings.subject_iso3) as others_index,
        string_agg(v.country_text_id || ' v2x_polyarchy ' || v.v2x_polyarchy, '; '
                   order by v.country_text_id) as vdem_evidence
    from readings
    inner join reading_countries
        on reading_countries.claim_id = readings.claim_id
        and reading_countries.variant_id = readings.variant_id
    inner join raw.vdem_ert as v
        on v.country_text_id = reading_countries.iso3 and v.year = readings.year_to
    where readings.rule_kind = 'best_in_group'
    group by readings.claim_id, readings.variant_id
),

wjp_verdicts as (
    select
        wjp_claims.claim_id,
        wjp_claims.variant_id,
        'WJP ' || wjp_claims.year_to || ': ' || wjp_claims.wjp_evidence
            || coalesce('. V-Dem ' || wjp_claims.year_to || ': ' || best_vdem.vdem_evidence, '')
            as evidence,
        case
            when (select not ok from wjp) then 'not_checkable'
            when wjp_claims.rule_kind = 'wjp_coverage' then case
                when wjp_claims.scored = wjp_claims.countries then 'supported'
                when wjp_claims.scored > 0 then 'partly_supported'
                else 'contradicted' end
            when best_vdem.subject_index is null or wjp_claims.subject_score is null
                then 'not_checkable'
            when wjp_claims.subject_score > coalesce(wjp_claims.others_best, -1)
                and best_vdem.subject_index > best_vdem.others_index then 'supported'
            when wjp_claims.subject_score > coalesce(wjp_claims.others_best, -1)
                or best_vdem.subject_index > best_vdem.others_index then 'partly_supported'
            else 'contradicted'
        end as verdict
    from wjp_claims
    left join best_vdem
        on best_vdem.claim_id = wjp_claims.claim_id and best_vdem.variant_id = wjp_claims.variant_id
),

-- WJP: the subject's scores on each measure, from year_from to year_to (scores, not ranks: the
-- number of countries ranked changes between editions); its global rank beside them
wjp_global_ranks as (
    select country_iso3, edition_year, measure_code, factor_name, rank, n_ranked
    from staging.stg_wjp__ranks
    where scope = 'global'
),

wjp_change_measures as (
    select
        claim_id, variant_id, rule_kind, subject_iso3, year_from, year_to, threshold,
        unnest(string_split(measure, ';')) as measure_code
    from readings
    where rule_kind in ('wjp_improves', 'wjp_declines')
),

wjp_changes as (
    select
        measures.*,
        base.score as base_score,
        now_.score as now_score,
        now_.score - base.score as delta,
        base_rank.rank as base_rank,
        base_rank.n_ranked as base_n,
        now_rank.rank as now_rank,
        now_rank.n_ranked as now_n,
        coalesce(now_rank.factor_name, base_rank.factor_name, measures.measure_code) as name
    from wjp_change_measures as measures
    left join raw.wjp_scores as base
        on base.country_iso3 = measures.subject_iso3 and base.edition_year = measures.year_from
        and base.measure_code = measures.measure_code
    left join raw.wjp_scores as now_
        on now_.country_iso3 = measures.subject_iso3 and now_.edition_year = measures.year_to
        and now_.measure_code = measures.measure_code
    left join wjp_global_ranks as base_rank
        on base_rank.country_iso3 = measures.subject_iso3
        and base_rank.edition_year = measures.year_from
        and base_rank.measure_code = measures.measure_code
    left join wjp_global_ranks as now_rank
        on now_rank.country_iso3 = measures.subject_iso3
        and now_rank.edition_year = measures.year_to
        and now_rank.measure_code = measures.measure_code
),

wjp_change_verdicts as (
    select
        claim_id,
        variant_id,
        'WJP, ' || any_value(subject_iso3) || ': ' || string_agg(
            format(
                '{} ({}) {} {} -> {} {} ({}{}; global rank {} of {} -> {} of {})', measure_code,
                name, year_from, coalesce(base_score::varchar, 'no score'), year_to,
                coalesce(now_score::varchar, 'no score'), case when delta >= 0 then '+' else '' end,
                coalesce(round(delta, 4)::varchar, 'n/a'), base_rank, base_n, now_rank, now_n
            ),
            '; ' order by measure_code
        ) as evidence,
        case
            when (select not ok from wjp) then 'not_checkable'
            when count(delta) < count(*) then 'not_checkable'
            when count(*) filter (
                (rule_kind = 'wjp_improves' and delta >= threshold)
                or (rule_kind = 'wjp_declines' and -delta >= threshold)
            ) = count(*) then 'supported'
            when count(*) filter (
                (rule_kind = 'wjp_improves' and delta >= threshold)
                or (rule_kind = 'wjp_declines' and -delta >= threshold)
            ) > 0 then 'partly_supported'
            else 'contradicted'
        end as verdict
    from wjp_changes
    group by claim_id, variant_id
),

-- WJP: how far apart the countries' global ranks are on each measure in year_to
similar_measures as (
    select
        claim_id, variant_id, threshold, year_to,
        unnest(string_split(measure, ';')) as measure_code
    from readings
    where rule_kind = 'wjp_similar'
),

similar_ranks as (
    select
        measures.claim_id,
        measures.variant_id,
        measures.threshold,
        measures.year_to,
        measures.measure_code,
        count(ranks.rank) as scored,
        max(ranks.rank) - min(ranks.rank) as spread,
        min(ranks.rank) as best,
        max(ranks.rank) as worst,
        string_agg(ranks.country_iso3, ', ' order by ranks.country_iso3) as scored_countries
    from similar_measures as measures
    inner join reading_countries
        on reading_countries.claim_id = measures.claim_id
        and reading_countries.variant_id = measures.variant_id
    left join wjp_global_ranks as ranks
        on ranks.country_iso3 = reading_countries.iso3
        and ranks.edition_year = measures.year_to
        and ranks.measure_code = measures.measure_code
    group by all
),

similar_verdicts as (
    select
        claim_id,
        variant_id,
        format(
            'WJP {} global ranks of {}, the states it scores: {}; {} of {} measures within {} places',
            any_value(year_to), any_value(scored_countries),
            string_agg(format('{} {}-{} (spread {})', measure_code, best, worst, spread), '; '
                       order by measure_code),
            count(*) filter (spread <= threshold), count(*), any_value(threshold)
        ) as evidence,
        case
            when (select not ok from wjp) or min(scored) < 2 then 'not_checkable'
            when count(*) filter (spread <= threshold) = count(*) then 'supported'
            when 2 * count(*) filter (spread <= threshold) >= count(*) then 'partly_supported'
            else 'contradicted'
        end as verdict
    from similar_ranks
    group by claim_id, variant_id
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
        readings.claim_id,
        readings.variant_id,
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
    from readings
    cross join cells
    where readings.rule_kind = 'tables_verified'
),

-- errata of the mart row that states the claim (they decide the erratum rule), and errata of the
-- claim itself (e.g. a citation that does not support it: shown, never part of the verdict)
target_errata as (
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

own_errata as (
    select
        target_key as claim_id,
        string_agg(
            format('{} ({}, {}): {}', kind, erratum_id, confidence, correction), ' '
            order by erratum_id
        ) as erratum
    from raw.errata
    where target_mart = 'paper_claims'
    group by target_key
),

erratum_verdicts as (
    select
        readings.claim_id,
        readings.variant_id,
        coalesce(target_errata.evidence, 'No erratum for ' || claims.target_mart || ' '
                 || claims.target_key) as evidence,
        case
            when target_errata.confirmed then 'contradicted'
            when target_errata.probable then 'partly_supported'
            else 'not_checkable'
        end as verdict
    from readings
    inner join claims on claims.claim_id = readings.claim_id
    left join target_errata on target_errata.claim_id = readings.claim_id
    where readings.rule_kind = 'erratum'
),

-- public records that check a claim (raw/reference/claim_records.csv), each saying what it
-- finds of the part of the claim it covers: supported if every record confirms, contradicted if
-- every one contradicts, partly supported otherwise; not checkable without a record
record_verdicts as (
    select
        readings.claim_id,
        readings.variant_id,
        coalesce(
            string_agg(
                format('{} ({}): {} {}', records.record_id, replace(records.finding, '_', ' '),
                       records.record_says, records.url),
                '; ' order by records.record_id
            ),
            'No public record for ' || readings.claim_id
        ) as evidence,
        case
            when count(records.record_id) = 0 then 'not_checkable'
            when bool_and(records.finding = 'confirms') then 'supported'
            when bool_and(records.finding = 'contradicts') then 'contradicted'
            else 'partly_supported'
        end as verdict
    from readings
    left join raw.claim_records as records on records.claim_id = readings.claim_id
    where readings.rule_kind = 'public_record'
    group by readings.claim_id, readings.variant_id
),

unchecked_verdicts as (
    select
        readings.claim_id,
        readings.variant_id,
        'Not checkable: ' || claims.note as evidence,
        'not_checkable' as verdict
    from readings
    inner join claims on claims.claim_id = readings.claim_id
    where readings.rule_kind = 'not_checkable'
),

reading_verdicts as (
    select * from vdem_verdicts
    union all select * from wave_verdicts
    union all select * from wjp_verdicts
    union all select * from wjp_change_verdicts
    union all select * from similar_verdicts
    union all select * from table_verdicts
    union all select * from erratum_verdicts
    union all select * from record_verdicts
    union all select * from unchecked_verdicts
),

all_readings as (
    select
        readings.claim_id,
        readings.variant_id,
        readings.description,
        coalesce(reading_verdicts.verdict, 'not_checkable') as verdict,
        coalesce(reading_verdicts.evidence, 'no evidence') as evidence
    from readings
    left join reading_verdicts
        on reading_verdicts.claim_id = readings.claim_id
        and reading_verdicts.variant_id = readings.variant_id
),

-- robust: no variant that can be checked gives another verdict than the stated reading
robustness as (
    select
        stated.claim_id,
        stated.verdict as stated_verdict,
        stated.evidence as stated_evidence,
        coalesce(bool_and(
            other.verdict = stated.verdict or other.verdict = 'not_checkable'
            or stated.verdict = 'not_checkable'
        ), true) as robust,
        string_agg(
            format('{} ({}): {}', other.variant_id, other.description,
                   replace(other.verdict, '_', ' ')),
            '; ' order by other.variant_id
        ) filter (
            other.verdict <> stated.verdict and other.verdict <> 'not_checkable'
            and stated.verdict <> 'not_checkable'
        ) as flipped_by,
        string_agg(
            format('{} ({}): {}. {}', other.variant_id, other.description,
                   replace(other.verdict, '_', ' '), other.evidence),
            ' | ' order by other.variant_id
        ) as variants
    from all_readings as stated
    left join all_readings as other
        on other.claim_id = stated.claim_id and other.variant_id <> 'stated'
    where stated.variant_id = 'stated'
    group by stated.claim_id, stated.verdict, stated.evidence
),

-- what a reviewer would ask for beside the verdict: V-Dem's regime type in every year from the
-- claim's first year (or its year) to V-Dem's last, and the episodes open in those years
claim_countries as (
    select claim_id, unnest(string_split(country_iso3s, ';')) as iso3
    from claims
    where country_iso3s is not null
        and rule_kind in (
            'only_democracy', 'all_autocracies', 'index_rises', 'index_falls', 'region_rises',
            'worst_in_group'
        )
),

context_years as (
    select
        claim_countries.claim_id,
        claim_countries.iso3,
        ert.year,
        ert.v2x_regime,
        regime_types.regime_type,
        ert.year - row_number() over (
            partition by claim_countries.claim_id, claim_countries.iso3, ert.v2x_regime
            order by ert.year
        ) as run
    from claim_countries
    inner join claims on claims.claim_id = claim_countries.claim_id
    inner join raw.vdem_ert as ert
        on ert.country_text_id = claim_countries.iso3
        and ert.year >= coalesce(claims.year_from, claims.year_to)
    left join raw.vdem_regime_types as regime_types
        on regime_types.v2x_regime = ert.v2x_regime
),

context_runs as (
    select
        claim_id, iso3, min(year) as first_year, max(year) as last_year,
        any_value(regime_type) as regime_type
    from context_years
    group by claim_id, iso3, v2x_regime, run
),

context_countries as (
    select
        claim_id,
        iso3,
        string_agg(
            case when first_year = last_year then first_year::varchar
                else first_year || '-' || last_year end || ' ' || regime_type,
            ', ' order by first_year
        ) as regimes
    from context_runs
    group by claim_id, iso3
),

context_episodes as (
    select
        claim_countries.claim_id,
        string_agg(
            format('{} {} episode {}-{}{}', claim_countries.iso3, episodes.kind,
                   episodes.first_year, episodes.last_year,
                   case when episodes.censored = 1 then format(
                       ' (still open in {}: right-censored)', episodes.last_year
                   ) else '' end),
            '; ' order by claim_countries.iso3, episodes.first_year
        ) as episodes
    from claim_countries
    inner join claims on claims.claim_id = claim_countries.claim_id
    inner join (
        select country_text_id, 'autocratization' as kind, aut_ep_id as episode_id,
            min(year) as first_year, max(year) as last_year, max(aut_ep_censored) as censored
        from raw.vdem_ert where aut_ep = 1 group by all
        union all
        select country_text_id, 'democratization', dem_ep_id, min(year), max(year),
            max(dem_ep_censored)
        from raw.vdem_ert where dem_ep = 1 group by all
    ) as episodes
        on episodes.country_text_id = claim_countries.iso3
        and episodes.last_year >= coalesce(claims.year_from, claims.year_to)
    group by claim_countries.claim_id
),

vdem_context as (
    select
        context_countries.claim_id,
        'V-Dem regime type by year: ' || string_agg(
            context_countries.iso3 || ' ' || context_countries.regimes, '; '
            order by context_countries.iso3
        ) || '. Episodes open in these years: ' || coalesce(
            any_value(context_episodes.episodes), 'none'
        ) as context
    from context_countries
    left join context_episodes on context_episodes.claim_id = context_countries.claim_id
    group by context_countries.claim_id
),

-- WJP: the subject's place on the claim's measure among the countries scored, every edition
wjp_places as (
    select
        claims.claim_id,
        claims.subject_iso3,
        claims.measure,
        scores.edition_year,
        scores.country_iso3,
        rank() over (
            partition by claims.claim_id, scores.edition_year order by scores.score desc
        ) as place,
        count(*) over (partition by claims.claim_id, scores.edition_year) as scored
    from claims
    inner join (
        select claim_id, unnest(string_split(country_iso3s, ';')) as iso3 from claims
    ) as countries on countries.claim_id = claims.claim_id
    inner join raw.wjp_scores as scores
        on scores.country_iso3 = countries.iso3 and scores.measure_code = claims.measure
    where claims.rule_kind = 'best_in_group'
),

wjp_context as (
    select
        claim_id,
        format(
            'WJP, {}''s place on {} among these states WJP scores, every edition: {}',
            any_value(subject_iso3), any_value(measure),
            string_agg(format('{} {} of {}', edition_year, place, scored), ', '
                       order by edition_year)
        ) as context
    from wjp_places
    where country_iso3 = subject_iso3
    group by claim_id
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
            else robustness.stated_evidence
                || coalesce('. ' || vdem_context.context, '')
                || coalesce('. ' || wjp_context.context, '')
        end as evidence,
        case
            when list_contains(string_split(claims.checked_against, ';'), 'vdem_ert')
                and not (select ok from vdem) then 'not_checkable'
            when list_contains(string_split(claims.checked_against, ';'), 'wjp_roli')
                and not (select ok from wjp) then 'not_checkable'
            when not robustness.robust and robustness.stated_verdict = 'supported'
                then 'partly_supported'
            else robustness.stated_verdict
        end as verdict,
        case
            when list_contains(string_split(claims.checked_against, ';'), 'vdem_ert')
                and not (select ok from vdem) then true
            when list_contains(string_split(claims.checked_against, ';'), 'wjp_roli')
                and not (select ok from wjp) then true
            else robustness.robust
        end as verdict_robust,
        case
            when list_contains(string_split(claims.checked_against, ';'), 'vdem_ert')
                and not (select ok from vdem) then null
            when list_contains(string_split(claims.checked_against, ';'), 'wjp_roli')
                and not (select ok from wjp) then null
            else robustness.flipped_by
        end as flipped_by,
        robustness.variants,
        claims.rule,
        claims.note,
        nullif(concat_ws(' ', target_errata.erratum, own_errata.erratum), '') as erratum
    from claims
    inner join robustness on robustness.claim_id = claims.claim_id
    left join vdem_context on vdem_context.claim_id = claims.claim_id
    left join wjp_context on wjp_context.claim_id = claims.claim_id
    left join target_errata on target_errata.claim_id = claims.claim_id
    left join own_errata on own_errata.claim_id = claims.claim_id
)

select * from final
