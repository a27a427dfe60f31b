{#- Delivered orders per (customer_unique_id, product category): feeds the top categories of the
    segment profiles without shipping whole order tables to Python. -#}
with

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

customers as (
    select * from {{ ref('customer_rfm') }}
),

order_categories as (
    select
        orders.customer_unique_id,
        {{ unnest_list('orders.product_categories') }} as product_category
    from orders
    inner join customers
        on
            orders.customer_unique_id = customers.customer_unique_id
            and orders.known_delivered_at < customers.reference_date
    where orders.is_delivered
),

final as (
    select
        customer_unique_id,
        product_category,
        count(*) as order_count
    from order_categories
    group by customer_unique_id, product_category
)

select * from final
