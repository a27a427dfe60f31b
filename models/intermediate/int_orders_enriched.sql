with

orders as (
    select * from {{ ref('stg_olist__orders') }}
),

customers as (
    select * from {{ ref('stg_olist__customers') }}
),

order_items as (
    select * from {{ ref('int_order_items_aggregated_to_orders') }}
),

order_payments as (
    select * from {{ ref('int_order_payments_aggregated_to_orders') }}
),

order_reviews as (
    select * from {{ ref('int_order_reviews_aggregated_to_orders') }}
),

final as (
    select
        orders.order_id,
        orders.customer_id,
        customers.customer_unique_id,
        customers.customer_state,
        customers.customer_zip_code_prefix,
        customers.customer_city,
        orders.order_status,
        orders.order_status = 'delivered' as is_delivered,
        orders.purchased_at,
        orders.approved_at,
        orders.delivered_to_customer_at,
        orders.estimated_delivery_at,
        coalesce(order_items.item_count, 0) as item_count,
        coalesce(order_items.items_value, 0) as items_value,
        coalesce(order_items.freight_value, 0) as freight_value,
        coalesce(order_payments.amount_paid, 0) as amount_paid,
        coalesce(order_payments.voucher_value, 0) as voucher_value,
        coalesce(order_payments.payment_row_count, 0) as payment_row_count,
        order_payments.max_installments,
        order_payments.main_payment_type,
        order_reviews.review_score,
        order_reviews.first_review_at,
        {{ fractional_days_between('orders.purchased_at', 'orders.delivered_to_customer_at') }}
            as delivery_days,
        {{ fractional_days_between('orders.estimated_delivery_at', 'orders.delivered_to_customer_at') }}
            as delay_days,
        case
            when orders.delivered_to_customer_at is null or orders.estimated_delivery_at is null then null
            else orders.delivered_to_customer_at::date > orders.estimated_delivery_at::date
        end as is_late,
        coalesce(order_items.product_categories, {{ empty_text_list() }}) as product_categories
    from orders
    -- an order whose customer is unknown is kept out here and reported by int_orphan_rows_identified
    inner join customers
        on orders.customer_id = customers.customer_id
    left join order_items
        on orders.order_id = order_items.order_id
    left join order_payments
        on orders.order_id = order_payments.order_id
    left join order_reviews
        on orders.order_id = order_reviews.order_id
)

select * from final
