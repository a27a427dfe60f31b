-- The segment profiles partition the segmented customers: customer and revenue shares each sum
-- to 1, and the customer counts add up to the customers of customer_segments.
with

profiles as (
    select * from {{ ref('segment_profiles') }}
),

customers as (
    select count(*) as customer_count
    from {{ ref('customer_segments') }}
    where segment_id is not null
),

totals as (
    select
        sum(customer_share) as customer_share_total,
        sum(revenue_share) as revenue_share_total,
        sum(customer_count) as customer_count_total
    from profiles
),

final as (
    select
        totals.customer_share_total,
        totals.revenue_share_total,
        totals.customer_count_total,
        customers.customer_count
    from totals
    cross join customers
    where abs(totals.customer_share_total - 1) > 1e-9
        or abs(coalesce(totals.revenue_share_total, 1) - 1) > 1e-9
        or totals.customer_count_total != customers.customer_count
)

select * from final
