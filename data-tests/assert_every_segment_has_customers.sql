-- No empty segment: every segment of the frozen model holds at least one customer.
with

segments as (
    select distinct
        segment_id,
        segment_name
    from {{ ref('segment_centroids') }}
),

customer_counts as (
    select
        segment_id,
        count(*) as customer_count
    from {{ ref('customer_segments') }}
    group by segment_id
)

select
    segments.segment_id,
    segments.segment_name
from segments
left join customer_counts
    on segments.segment_id = customer_counts.segment_id
where coalesce(customer_counts.customer_count, 0) = 0
