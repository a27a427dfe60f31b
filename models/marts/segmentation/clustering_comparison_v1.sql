{#- clustering_comparison v1 (README, Governance: versions): the columns it had before
    the rename of n_fitted and n_assigned, and without segment_sizes.
    Deprecated on 2027-03-01: read the latest version, `ref('clustering_comparison')`. -#}
with

latest as (
    select * from {{ ref('clustering_comparison', v=2) }}
),

cluster_sizes as (
    select * from {{ ref('clustering_comparison_segments') }}
),

sizes_as_text as (
    select
        algorithm,
        linkage,
        string_agg(segment_id || ':' || customer_count, '|' order by segment_id) as segment_sizes
    from cluster_sizes
    group by algorithm, linkage
),

final as (
    select
        latest.algorithm,
        latest.linkage,
        latest.k,
        latest.silhouette,
        latest.davies_bouldin,
        latest.calinski_harabasz,
        latest.min_segment_share,
        latest.ari_vs_kmeans,
        latest.fit_seconds,
        latest.peak_memory_mb,
        latest.fit_note,
        latest.model_version,
        latest.fitted_customer_count as n_fitted,
        latest.assigned_customer_count as n_assigned,
        sizes_as_text.segment_sizes
    from latest
    left join sizes_as_text
        on
            latest.algorithm = sizes_as_text.algorithm
            and latest.linkage is not distinct from sizes_as_text.linkage
)

select * from final
