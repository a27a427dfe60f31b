{#- segment_model_selection for BI tools, under an enforced contract: the rows of the Python model
    segment_model_selection_computed (a Python model cannot carry a contract) with their types fixed. -#}
with

computed as (
    select * from {{ ref('segment_model_selection_computed') }}
),

final as (
    select
        cast(feature_set as varchar) as feature_set,
        cast(features as varchar) as features,
        cast(k as bigint) as k,
        cast(inertia as double) as inertia,
        cast(silhouette as double) as silhouette,
        cast(davies_bouldin as double) as davies_bouldin,
        cast(calinski_harabasz as double) as calinski_harabasz,
        cast(min_segment_share as double) as min_segment_share,
        cast(bootstrap_ari as double) as bootstrap_ari,
        cast(fit_seconds as double) as fit_seconds,
        cast(eval_seconds as double) as eval_seconds,
        cast(fitted_customer_count as bigint) as fitted_customer_count,
        cast(is_chosen as boolean) as is_chosen,
        cast(selection_reason as varchar) as selection_reason,
        cast(seed as bigint) as seed,
        cast(min_segment_share_floor as double) as min_segment_share_floor,
        cast(min_bootstrap_ari_floor as double) as min_bootstrap_ari_floor
    from computed
)

select * from final
