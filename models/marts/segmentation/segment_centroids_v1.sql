{#- segment_centroids v1 (README, Governance: versions): the columns it had before
    the rename of segment_size and n_customers_fitted.
    Deprecated on 2027-03-01: read the latest version, `ref('segment_centroids')`. -#}
with

latest as (
    select * from {{ ref('segment_centroids', v=2) }}
),

final as (
    select
        model_version,
        segment_id,
        segment_name,
        feature,
        feature_order,
        centroid_scaled,
        centroid_original,
        segment_share,
        k,
        seed,
        feature_set,
        log1p,
        impute_value,
        center,
        scale,
        algorithm,
        reference_date,
        customer_count as segment_size,
        fitted_customer_count as n_customers_fitted
    from latest
)

select * from final
