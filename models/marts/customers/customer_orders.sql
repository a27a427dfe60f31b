{#- One row per order that customer_rfm counts: delivered to the customer before the reference date
    (the as-of rule of macro customer_rfm_as_of). Summed per person it gives customer_rfm's frequency
    and monetary exactly, so the order-level metrics of the semantic layer (orders, revenue) agree
    with the customer-level ones. -#}
with

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

customers as (
    select * from {{ ref('customer_rfm') }}
),

reference_dates as (
    select distinct reference_date from customers
),

final as (
    select
        orders.order_id,
        orders.customer_unique_id,
        cast(orders.delivered_order_number as integer) as delivered_order_number,
        orders.purchased_at,
        orders.known_delivered_at,
        cast(orders.amount_paid as decimal(18, 2)) as amount_paid,
        reference_dates.reference_date
    from orders
    inner join reference_dates
        on orders.known_delivered_at < reference_dates.reference_date
    where orders.is_delivered
)

select * from final
order by order_id
