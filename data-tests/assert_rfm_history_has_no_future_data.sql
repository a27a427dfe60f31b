-- No leakage from the future: every history row only uses orders delivered before its snapshot
-- date, and its order count is the number of orders the person had received by then.
with

history as (
    select * from {{ ref('customer_rfm_history') }}
),

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

orders_known as (
    select
        history.snapshot_date,
        history.customer_unique_id,
        count(orders.order_id) as delivered_orders_before
    from history
    left join orders
        on
            history.customer_unique_id = orders.customer_unique_id
            and history.snapshot_date > orders.purchased_at
            and history.snapshot_date > orders.known_delivered_at
            and orders.is_delivered
    group by history.snapshot_date, history.customer_unique_id
)

select
    history.snapshot_date,
    history.customer_unique_id,
    history.last_purchase_at,
    history.frequency,
    orders_known.delivered_orders_before
from history
inner join orders_known
    on
        history.snapshot_date = orders_known.snapshot_date
        and history.customer_unique_id = orders_known.customer_unique_id
where
    history.last_purchase_at >= history.snapshot_date
    or history.frequency != orders_known.delivered_orders_before
    or history.recency_days < 0
