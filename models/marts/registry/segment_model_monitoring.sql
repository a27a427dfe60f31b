{{ config(materialized='incremental', unique_key='build_id', full_refresh=false) }}
{#- One row per build: the champion against today's data, and the verdict. -#}
with

decision as (
    select * from {{ ref('int_segment_retrain_decision') }}
),

champion as (
    select distinct model_version from {{ ref('segment_centroids') }}
),

final as (
    select
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as build_id,
        cast('{{ run_started_at }}' as timestamp) as built_at,
        decision.reference_date,
        decision.champion_model_version as previous_champion_model_version,
        champion.model_version as champion_model_version,
        decision.champion_age_months,
        decision.retrain_months,
        decision.max_psi,
        decision.max_psi_feature,
        decision.max_share_drift,
        decision.max_share_drift_segment_id,
        decision.empty_segment_count,
        decision.retrain_due,
        decision.retrain_blocked,
        -- a blocked retrain still says what was due
        coalesce(decision.promote_reason, 'blocked: ' || decision.blocked_reason) as reason,
        coalesce(decision.champion_model_version, '') != champion.model_version as is_promoted
    from decision
    cross join champion
)

select * from final
