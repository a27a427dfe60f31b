-- customer_rfm reads category_count and main_payment_type from running facts precomputed per order
-- in int_orders_enriched (new_category_count, main_payment_type_to_date), so that the monthly
-- history needs only plain aggregates. Recomputed here the direct way, per customer, they must agree.
with

customers as (
    select * from {{ ref('customer_rfm') }}
),

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

customer_categories as (
    select * from {{ ref('int_customer_categories_counted') }}
),

category_counts as (
    select
        customer_unique_id,
        count(distinct product_category) as category_count
    from customer_categories
    where product_category != 'unknown'
    group by customer_unique_id
),

payment_type_amounts as (
    select
        orders.customer_unique_id,
        orders.main_payment_type,
        sum(orders.amount_paid) as amount_paid
    from orders
    inner join customers
        on
            orders.customer_unique_id = customers.customer_unique_id
            and orders.known_delivered_at < customers.reference_date
    where orders.is_delivered and orders.main_payment_type is not null
    group by orders.customer_unique_id, orders.main_payment_type
),

main_payment_types as (
    select
        customer_unique_id,
        main_payment_type
    from payment_type_amounts
    qualify row_number() over (
            partition by customer_unique_id order by amount_paid desc, main_payment_type asc
        ) = 1
),

final as (
    select
        customers.customer_unique_id,
        customers.category_count,
        coalesce(category_counts.category_count, 0) as expected_category_count,
        customers.main_payment_type,
        main_payment_types.main_payment_type as expected_main_payment_type
    from customers
    left join category_counts
        on customers.customer_unique_id = category_counts.customer_unique_id
    left join main_payment_types
        on customers.customer_unique_id = main_payment_types.customer_unique_id
)

select * from final
where category_count != expected_category_count
    or coalesce(main_payment_type, '') != coalesce(expected_main_payment_type, '')
