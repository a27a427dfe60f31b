-- Customers and revenue of each KMeans segment per state, with the state's share of the segment.
with

segments as (
    select * from {{ ref('customer_segments') }}
),

per_state as (
    select
        segment_id,
        segment_name,
        customer_state,
        count(*) as customers,
        sum(monetary) as revenue
    from segments
    group by segment_id, segment_name, customer_state
),

final as (
    select
        segment_id,
        segment_name,
        customer_state,
        customers,
        round(revenue, 2) as revenue,
        round(customers / sum(customers) over (partition by segment_id), 4) as share_of_segment
    from per_state
)

select * from final
order by segment_id asc, customers desc, customer_state asc
