{#- Customers per (segment, customer state): the top states of the segment profiles, counted
    here so that no state text is shipped to Python per customer. -#}
with

segments as (
    select * from {{ ref('customer_segments') }}
),

segmented_customers as (
    select
        cast(segment_id as bigint) as segment_id,
        coalesce(customer_state, 'unknown') as customer_state
    from segments
    where segment_id is not null
),

final as (
    select
        segment_id,
        customer_state,
        count(*) as customer_count
    from segmented_customers
    group by segment_id, customer_state
)

select * from final
order by segment_id, customer_state
