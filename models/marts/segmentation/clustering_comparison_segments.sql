{#- Customers per cluster of each algorithm of clustering_comparison: one row per (algorithm,
    linkage, segment). -#}
with

compared as (
    select * from {{ ref('int_clustering_compared') }}
),

final as (
    select
        algorithm_position,
        algorithm,
        linkage,
        cast(segment_id as integer) as segment_id,
        customer_count,
        model_version
    from compared
)

select * exclude (algorithm_position) from final
order by algorithm_position, segment_id
