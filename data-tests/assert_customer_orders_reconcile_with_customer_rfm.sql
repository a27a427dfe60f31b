-- customer_orders is the order grain of customer_rfm: per person, its orders are customer_rfm's
-- frequency and their payments its monetary, and every customer of customer_rfm has orders in it.
-- Rows returned are the customers where the two disagree.
with

orders_per_customer as (
    select
        customer_unique_id,
        count(*) as order_count,
        sum(amount_paid) as amount_paid
    from {{ ref('customer_orders') }}
    group by customer_unique_id
)

select
    coalesce(customers.customer_unique_id, orders_per_customer.customer_unique_id) as customer_unique_id,
    customers.frequency,
    orders_per_customer.order_count,
    customers.monetary,
    orders_per_customer.amount_paid
from {{ ref('customer_rfm') }} as customers
full outer join orders_per_customer
    on customers.customer_unique_id = orders_per_customer.customer_unique_id
where customers.customer_unique_id is null
    or orders_per_customer.customer_unique_id is null
    or customers.frequency != orders_per_customer.order_count
    or abs(customers.monetary - orders_per_customer.amount_paid) > 0.005
