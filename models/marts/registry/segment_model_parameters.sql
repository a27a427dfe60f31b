{{ config(materialized='incremental', unique_key=['model_version', 'segment_id', 'feature'], full_refresh=false) }}
{#- Every promoted model's table, kept forever: centroids and transform per (segment, feature).
    The registry's champion is scored from here by the next builds (int_segment_champion_previous),
    and `make export-model` writes it out. -#}
with

fitted_model as (
    select * from {{ ref('int_segment_model_fitted') }}
),

final as (
    select
        {{ select_segment_model_columns() }}
    from fitted_model
    where is_promoted
    {%- if is_incremental() %}
        and model_version not in (select model_version from {{ this }})
    {%- endif %}
)

select * from final
