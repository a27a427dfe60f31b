{#- The frozen model under a contract: centroids in scaled and original units with the transform
    parameters of each feature. Scoring reads only this table, so segments never move unless a new
    model version is fitted on purpose. -#}
with

fitted_model as (
    select * from {{ ref('int_segment_model_fitted') }}
),

final as (
    select
        cast(model_version as varchar) as model_version,
        cast(segment_id as integer) as segment_id,
        cast(segment_name as varchar) as segment_name,
        cast(feature as varchar) as feature,
        cast(feature_order as integer) as feature_order,
        cast(centroid_scaled as double) as centroid_scaled,
        cast(centroid_original as double) as centroid_original,
        cast(customer_count as bigint) as customer_count,
        cast(segment_share as double) as segment_share,
        cast(k as integer) as k,
        cast(seed as integer) as seed,
        cast(feature_set as varchar) as feature_set,
        cast(log1p as boolean) as log1p,
        cast(impute_value as double) as impute_value,
        cast(center as double) as center,
        cast(scale as double) as scale,
        cast(fitted_customer_count as bigint) as fitted_customer_count,
        cast(algorithm as varchar) as algorithm,
        cast(reference_date as date) as reference_date
    from fitted_model
)

select * from final
order by segment_id, feature_order
