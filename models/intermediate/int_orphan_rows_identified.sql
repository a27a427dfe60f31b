{#- Rows that typed fine but point at a parent that does not exist: not lost, listed here with why. -#}
with

orders as (
    select * from {{ ref('stg_olist__orders') }}
),

customers as (
    select * from {{ ref('stg_olist__customers') }}
),

order_items as (
    select * from {{ ref('stg_olist__order_items') }}
),

order_payments as (
    select * from {{ ref('stg_olist__order_payments') }}
),

order_reviews as (
    select * from {{ ref('stg_olist__order_reviews') }}
),

orders_without_customer as (
    select
        'olist_orders_dataset' as source_table,
        orders.order_id as record_key,
        'customer_id ' || orders.customer_id || ' is not in olist_customers_dataset' as orphan_reason
    from orders
    anti join customers on orders.customer_id = customers.customer_id
),

items_without_order as (
    select
        'olist_order_items_dataset' as source_table,
        order_items.order_id || '/' || order_items.order_item_id as record_key,
        'order_id ' || order_items.order_id || ' is not in olist_orders_dataset' as orphan_reason
    from order_items
    anti join orders on order_items.order_id = orders.order_id
),

payments_without_order as (
    select
        'olist_order_payments_dataset' as source_table,
        order_payments.order_id || '/' || order_payments.payment_sequential as record_key,
        'order_id ' || order_payments.order_id || ' is not in olist_orders_dataset' as orphan_reason
    from order_payments
    anti join orders on order_payments.order_id = orders.order_id
),

reviews_without_order as (
    select
        'olist_order_reviews_dataset' as source_table,
        order_reviews.review_id || '/' || order_reviews.order_id as record_key,
        'order_id ' || order_reviews.order_id || ' is not in olist_orders_dataset' as orphan_reason
    from order_reviews
    anti join orders on order_reviews.order_id = orders.order_id
),

final as (
    select * from orders_without_customer
    union all
    select * from items_without_order
    union all
    select * from payments_without_order
    union all
    select * from reviews_without_order
)

select * from final
