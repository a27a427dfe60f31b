-- One-time buyers most likely to buy again: satisfied (review >= 4 or no review), delivered on time,
-- bought in the last ~6 months. 97% of Olist customers buy once: this is the growth list.
with

customers as (
    select * from {{ ref('customer_rfm') }}
),

final as (
    select
        customer_unique_id,
        customer_state,
        recency_days,
        monetary,
        avg_review_score,
        late_delivery_share,
        main_payment_type
    from customers
    where
        frequency = 1
        and recency_days <= 180
        and coalesce(avg_review_score, 5) >= 4
        and coalesce(late_delivery_share, 0) = 0
)

select * from final
order by recency_days asc, monetary desc, customer_unique_id asc
