-- depends_on: {{ ref('int_segment_champion_previous') }}
-- depends_on: {{ ref('int_segment_feature_psi') }}
{# Whether this build retrains the segment model, and why: one row.

    The champion (the registry's as of the previous build) is compared with today's customers:
    its age against the maintenance contract's interval, the PSI of each feature against the
    distribution stored when it was promoted, the move of each segment's share, empty segments.
    A first build, var segment_retrain (forced) and var segment_import_model_file also promote a
    model; var segment_retrain_blocked keeps the champion whatever the checks say. var
    segment_reselect (or a first build) re-chooses k and the features with the search. -#}
{%- set registry = previous_build_table('segment_models') -%}
{%- set bins = previous_build_table('segment_model_reference_bins') -%}
{%- set contract = previous_build_table('maintenance_contract') -%}
{#- the champion as int_segment_champion_previous read it; a compile without a build between
    (dbt docs generate after a first build) sees an empty one and must not score with it -#}
{%- set has_champion = registry is not none and bins is not none
    and model_version_count(ref('int_segment_champion_previous')) == 1 -%}
{%- set import_file = var('segment_import_model_file') -%}

with

customers as (
    select * from {{ ref('customer_rfm') }}
),

today as (
    select max(reference_date) as reference_date from customers
),

{%- if has_champion %}

champion as (
    select
        registry.model_version,
        registry.reference_date,
        registry.fitted_at,
        registry.promoted_because
    from {{ registry }} as registry
    where registry.status = 'champion'
),

contract_interval as (
    {%- if contract is not none %}
    select max(recommended_retrain_months) as retrain_months from {{ contract }}
    {%- else %}
    select cast(null as integer) as retrain_months
    {%- endif %}
),

feature_psi as (
    select * from {{ ref('int_segment_feature_psi') }}
),

scored as (
    {{ score_with_segment_model(ref('customer_rfm'), ref('int_segment_champion_previous')) }}
),

segment_shares as (
    select
        champion_segments.segment_id,
        champion_segments.segment_share as expected_share,
        count(scored.customer_unique_id) * 1.0 / (select count(*) from customers) as actual_share
    from (
        select distinct segment_id, segment_share
        from {{ ref('int_segment_champion_previous') }}
    ) as champion_segments
    left join scored
        on champion_segments.segment_id = scored.segment_id
    group by champion_segments.segment_id, champion_segments.segment_share
),

checks as (
    select
        champion.model_version as champion_model_version,
        champion.reference_date as champion_reference_date,
        -- whole months elapsed (a month boundary crossed overnight is not a month of age)
        (extract(year from today.reference_date) - extract(year from champion.reference_date)) * 12
        + extract(month from today.reference_date) - extract(month from champion.reference_date)
        - case
            when extract(day from today.reference_date) < extract(day from champion.reference_date)
                then 1
            else 0
        end as champion_age_months,
        contract_interval.retrain_months,
        (select max(psi) from feature_psi) as max_psi,
        (select min(feature) from feature_psi where psi = (select max(psi) from feature_psi))
            as max_psi_feature,
        (select max(abs(actual_share - expected_share)) from segment_shares) as max_share_drift,
        (
            select min(segment_id) from segment_shares
            where abs(actual_share - expected_share) = (
                select max(abs(actual_share - expected_share)) from segment_shares
            )
        ) as max_share_drift_segment_id,
        (select count(*) from segment_shares where actual_share = 0) as empty_segment_count,
        (select min(segment_id) from segment_shares where actual_share = 0) as first_empty_segment_id
    from champion
    cross join today
    cross join contract_interval
),

{%- else %}

    checks as (
        select
            cast(null as {{ dbt.type_string() }}) as champion_model_version,
            cast(null as date) as champion_reference_date,
            cast(null as integer) as champion_age_months,
            cast(null as integer) as retrain_months,
            cast(null as double) as max_psi,
            cast(null as {{ dbt.type_string() }}) as max_psi_feature,
            cast(null as double) as max_share_drift,
            cast(null as integer) as max_share_drift_segment_id,
            cast(0 as bigint) as empty_segment_count,
            cast(null as integer) as first_empty_segment_id
    ),

{%- endif %}

reasons as (
    select
        checks.*,
        today.reference_date,
        case
        {%- if import_file %}
            when true then 'imported from {{ import_file }}'
            {%- endif %}
            when checks.champion_model_version is null then 'first build'
            {%- if var('segment_retrain') %}
            when true then 'forced'
            {%- endif %}
            when checks.empty_segment_count > 0
                then 'drift alert: segment ' || checks.first_empty_segment_id || ' has no customer'
            when checks.max_psi >= {{ var('stability_psi_alert') }}
                then 'drift alert: PSI of ' || checks.max_psi_feature || ' is '
                    || cast(round(checks.max_psi, 3) as {{ dbt.type_string() }})
            when checks.max_share_drift >= {{ var('stability_share_drift_alert') }}
                then 'drift alert: share of segment ' || checks.max_share_drift_segment_id
                    || ' moved by ' || cast(round(checks.max_share_drift, 3) as {{ dbt.type_string() }})
            -- a contract below one month says the segmentation is unstable, not "refit nightly"
            when checks.champion_age_months >= greatest(checks.retrain_months, 1)
                then 'contract interval reached'
        end as due_reason
    from checks
    cross join today
),

verdicts as (
    select
        *,
        -- a block keeps the champion whatever the checks say, but not on a first build or an import
        case
            when
                {{ 'true' if var('segment_retrain_blocked') else 'false' }}
                and due_reason != 'first build'
                and due_reason not like 'imported from %'
                then null
            else due_reason
        end as promote_reason
    from reasons
),

final as (
    select
        champion_model_version,
        champion_reference_date,
        reference_date,
        cast(champion_age_months as integer) as champion_age_months,
        cast(retrain_months as integer) as retrain_months,
        max_psi,
        max_psi_feature,
        max_share_drift,
        max_share_drift_segment_id,
        cast(empty_segment_count as integer) as empty_segment_count,
        promote_reason is not null as retrain_due,
        promote_reason,
        {{ 'true' if var('segment_retrain_blocked') else 'false' }} as retrain_blocked,
        case when promote_reason is null then due_reason end as blocked_reason,
        champion_model_version is null or {{ 'true' if var('segment_reselect') else 'false' }}
            as reselect
    from verdicts
)

select * from final
