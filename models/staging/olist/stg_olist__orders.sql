with

orders as (
    select * from {{ ref('base_olist__orders') }}
    where reject_category is null
),

final as (
    select
        order_id,
        customer_id,
        lower(order_status) as order_status,
        purchased_at,
        approved_at,
        delivered_to_carrier_at,
        delivered_to_customer_at,
        estimated_delivery_at
    from orders
)

select * from final
