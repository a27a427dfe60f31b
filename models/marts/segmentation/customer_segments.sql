{#- One row per customer of customer_rfm with its KMeans segment, under a contract for BI tools. -#}
with

customers as (
    select * from {{ ref('customer_rfm') }}
),

scored_customers as (
    select * from {{ ref('int_customer_segments_scored') }}
),

final as (
    select
        customers.customer_unique_id,
        cast(scored_customers.segment_id as integer) as segment_id,
        cast(scored_customers.segment_name as varchar) as segment_name,
        cast(scored_customers.distance_to_centroid as double) as distance_to_centroid,
        cast(scored_customers.model_version as varchar) as model_version,
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
