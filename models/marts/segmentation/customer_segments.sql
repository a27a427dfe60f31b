{#- One row per customer of customer_rfm with its segment under the champion model
    (segment_centroids), scored in SQL by macro score_with_segment_model, under a contract for BI
    tools. The same SQL runs on DuckDB and Spark. -#}
with

customers as (
    select * from {{ ref('customer_rfm') }}
),

scored_customers as (
    {{ score_with_segment_model(ref('customer_rfm'), ref('segment_centroids')) | indent(4) }}
),

final as (
    select
        customers.customer_unique_id,
        cast(scored_customers.segment_id as integer) as segment_id,
        cast(scored_customers.segment_name as {{ dbt.type_string() }}) as segment_name,
        cast(scored_customers.distance_to_centroid as double) as distance_to_centroid,
        cast(scored_customers.model_version as {{ dbt.type_string() }}) as model_version,
        customers.rfm_segment,
        customers.customer_state,
        customers.customer_region,
        customers.recency_days,
        customers.frequency,
        customers.monetary,
        customers.reference_date
    from customers
    left join scored_customers
        on customers.customer_unique_id = scored_customers.customer_unique_id
)

select * from final
order by customer_unique_id
