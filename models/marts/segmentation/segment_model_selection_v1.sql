{#- segment_model_selection v1 (README, Governance: versions): the columns it had before
    the rename of n_rows_fitted.
    Deprecated on 2027-03-01: read the latest version, `ref('segment_model_selection')`. -#}
with

latest as (
    select * from {{ ref('segment_model_selection', v=2) }}
),

final as (
    select
        feature_set,
        features,
        k,
        inertia,
        silhouette,
        davies_bouldin,
        calinski_harabasz,
        min_segment_share,
        bootstrap_ari,
        fit_seconds,
        eval_seconds,
        is_chosen,
        selection_reason,
        seed,
        min_segment_share_floor,
        min_bootstrap_ari_floor,
        fitted_customer_count as n_rows_fitted
    from latest
)

select * from final
