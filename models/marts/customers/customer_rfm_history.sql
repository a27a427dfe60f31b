{#- The RFM features of every customer at the first day of every month: the same macro as
    customer_rfm, so a snapshot row is what customer_rfm would have said on that date. Only orders
    delivered, and reviews answered, before the snapshot date count (tests
    assert_rfm_history_has_no_future_data and assert_rfm_as_of_recomputed_from_staging). -#}
with

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

order_reviews as (
    select * from {{ ref('stg_olist__order_reviews') }}
),

reference as (
    select distinct reference_date from {{ ref('customer_rfm') }}
),

data_range as (
    select
        date_trunc('month', min(orders.purchased_at)) as first_month,
        max(reference.reference_date) as last_date
    from orders
    cross join reference
),

snapshot_dates as (
    -- first day of each month after the first purchase, up to the reference date
    select cast(months.month_start as date) as snapshot_date
    from data_range,
        range(data_range.first_month + interval 1 month, data_range.last_date + interval 1 day, interval 1 month)
            as months (month_start)
),

customer_features as (
    {{ customer_rfm_as_of('orders', 'order_reviews', 'snapshot_dates') }}
),

final as (
    select
        snapshot_date,
        customer_unique_id,
        customer_state,
        first_purchase_at,
        last_purchase_at,
        cast(recency_days as integer) as recency_days,
        cast(frequency as integer) as frequency,
        monetary,
        r_score,
        f_score,
        m_score,
        monetary / frequency as avg_order_value,
        cast(avg_review_score as double) as avg_review_score,
        cast(avg_delivery_days as double) as avg_delivery_days,
        cast(late_delivery_share as double) as late_delivery_share,
        cast(category_count as integer) as category_count,
        main_payment_type,
        cast(max_installments as integer) as max_installments
    from customer_features
)

select * from final
order by snapshot_date, customer_unique_id
