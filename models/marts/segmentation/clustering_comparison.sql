{#- KMeans against other algorithms on the same features and k: one row per algorithm (linkage).
    Customers per cluster are in clustering_comparison_segments. -#}
with

compared as (
    select * from {{ ref('int_clustering_compared') }}
),

final as (
    select distinct
        algorithm_position,
        algorithm,
        linkage,
        k,
        fitted_customer_count,
        assigned_customer_count,
        silhouette,
        davies_bouldin,
        calinski_harabasz,
        min_segment_share,
        ari_vs_kmeans,
        fit_seconds,
        peak_memory_mb,
        fit_note,
        model_version
    from compared
)

select * exclude (algorithm_position) from final
order by algorithm_position
