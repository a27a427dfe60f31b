{{ config(materialized='incremental', unique_key=['model_version', 'segment_id'], full_refresh=false) }}
{#- Where each segment of a promoted model comes from: the previous champion's segment it matched
    (same id and name), or none for a new segment. Kept forever. -#}
with

fitted_model as (
    select * from {{ ref('int_segment_model_fitted') }}
),

final as (
    select distinct
        cast(previous_model_version as {{ dbt.type_string() }}) as previous_model_version,
        cast(previous_segment_id as integer) as previous_segment_id,
        cast(model_version as {{ dbt.type_string() }}) as model_version,
        cast(segment_id as integer) as segment_id,
        cast(segment_name as {{ dbt.type_string() }}) as segment_name,
        cast(match_distance as double) as match_distance,
        cast('{{ run_started_at }}' as timestamp) as promoted_at
    from fitted_model
    where is_promoted
    {%- if is_incremental() %}
        and model_version not in (select model_version from {{ this }})
    {%- endif %}
)

select * from final
