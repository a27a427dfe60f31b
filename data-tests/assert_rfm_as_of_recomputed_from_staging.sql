-- Frequency and monetary of every customer at every snapshot of customer_rfm_history, and at the
-- reference date of customer_rfm, recomputed straight from staging with the as-of rule: an order
-- counts at date S when it was purchased before S and delivered to the customer before S (the
-- export's final status says delivered; a delivered order without a delivery date counts from its
-- estimated delivery date). Written without the RFM macro or int_orders_enriched, so a leak of
-- later deliveries into an earlier snapshot shows up as a row here.
with

orders as (
    select * from {{ ref('stg_olist__orders') }}
),

customers as (
    select * from {{ ref('stg_olist__customers') }}
),

payments as (
    select * from {{ ref('stg_olist__order_payments') }}
),

history as (
    select * from {{ ref('customer_rfm_history') }}
),

current_customers as (
    select * from {{ ref('customer_rfm') }}
),

as_of_dates as (
    select distinct snapshot_date as as_of_date from history
    union
    select distinct reference_date as as_of_date from current_customers
),

order_amounts as (
    select
        order_id,
        sum(payment_value) as amount_paid
    from payments
    group by order_id
),

delivered_orders as (
    select
        customers.customer_unique_id,
        orders.order_id,
        orders.purchased_at,
        coalesce(orders.delivered_to_customer_at, orders.estimated_delivery_at) as delivered_at,
        coalesce(order_amounts.amount_paid, 0) as amount_paid
    from orders
    inner join customers
        on orders.customer_id = customers.customer_id
    left join order_amounts
        on orders.order_id = order_amounts.order_id
    where orders.order_status = 'delivered'
),

expected as (
    select
        as_of_dates.as_of_date,
        delivered_orders.customer_unique_id,
        count(*) as frequency,
        sum(delivered_orders.amount_paid) as monetary
    from as_of_dates
    inner join delivered_orders
        on
            as_of_dates.as_of_date > delivered_orders.purchased_at
            and as_of_dates.as_of_date > delivered_orders.delivered_at
    group by as_of_dates.as_of_date, delivered_orders.customer_unique_id
),

actual as (
    select
        snapshot_date as as_of_date,
        customer_unique_id,
        frequency,
        monetary
    from history
    union all
    select
        reference_date as as_of_date,
        customer_unique_id,
        frequency,
        monetary
    from current_customers
    where reference_date not in (select history.snapshot_date from history)
),

compared as (
    select
        coalesce(actual.as_of_date, expected.as_of_date) as as_of_date,
        coalesce(actual.customer_unique_id, expected.customer_unique_id) as customer_unique_id,
        actual.frequency,
        expected.frequency as expected_frequency,
        actual.monetary,
        expected.monetary as expected_monetary
    from actual
    full outer join expected
        on
            actual.as_of_date = expected.as_of_date
            and actual.customer_unique_id = expected.customer_unique_id
)

select * from compared
where
    frequency is null
    or expected_frequency is null
    or frequency != expected_frequency
    or abs(monetary - expected_monetary) > 0.005
