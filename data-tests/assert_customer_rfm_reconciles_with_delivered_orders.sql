-- The mart's customers and monetary total, recomputed straight from staging (not from the
-- intermediate models the mart uses), must match: people with an order delivered before the
-- reference date, and the sum of all payment rows of those orders (vouchers included).
with

reference as (
    select distinct reference_date from {{ ref('customer_rfm') }}
),

delivered_payments as (
    select
        customers.customer_unique_id,
        orders.order_id,
        (
            select coalesce(sum(payments.payment_value), 0)
            from {{ ref('stg_olist__order_payments') }} as payments
            where payments.order_id = orders.order_id
        ) as order_paid
    from {{ ref('stg_olist__orders') }} as orders
    inner join {{ ref('stg_olist__customers') }} as customers
        on orders.customer_id = customers.customer_id
    cross join reference
    where orders.order_status = 'delivered'
        and orders.purchased_at < reference.reference_date
        and coalesce(orders.delivered_to_customer_at, orders.estimated_delivery_at) < reference.reference_date
),

expected as (
    select
        count(distinct customer_unique_id) as customer_count,
        round(sum(order_paid), 2) as monetary_total,
        count(*) as order_count
    from delivered_payments
),

actual as (
    select
        count(*) as customer_count,
        round(sum(monetary), 2) as monetary_total,
        sum(frequency) as order_count
    from {{ ref('customer_rfm') }}
)

select
    expected.customer_count as expected_customers,
    actual.customer_count as actual_customers,
    expected.monetary_total as expected_monetary,
    actual.monetary_total as actual_monetary,
    expected.order_count as expected_orders,
    actual.order_count as actual_orders
from expected cross join actual
where expected.customer_count != actual.customer_count
    or abs(expected.monetary_total - actual.monetary_total) > 0.01
    or expected.order_count != actual.order_count
