{#- segment_profile_features for BI tools, under an enforced contract: the rows of the Python model
    segment_profile_features_computed (a Python model cannot carry a contract) with their types fixed. -#}
with

computed as (
    select * from {{ ref('segment_profile_features_computed') }}
),

final as (
    select
        cast(segment_id as bigint) as segment_id,
        cast(feature as varchar) as feature,
        cast(feature_position as bigint) as feature_position,
        cast(mean as double) as mean,
        cast(median as double) as median,
        cast(z_score as double) as z_score,
        cast(population_mean as double) as population_mean,
        cast(model_version as varchar) as model_version
    from computed
)

select * from final
