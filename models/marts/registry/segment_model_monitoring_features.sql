{{ config(materialized='incremental', unique_key=['build_id', 'feature'], full_refresh=false) }}
{#- PSI of each feature of the champion at each build, against its distribution at promotion. -#}
with

feature_psi as (
    select * from {{ ref('int_segment_feature_psi') }}
),

final as (
    select
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as build_id,
        cast('{{ run_started_at }}' as timestamp) as built_at,
        model_version as champion_model_version,
        feature,
        psi
    from feature_psi
)

select * from final
