-- High-value customers who have not bought for a long time: the reactivation list.
-- High value = top two monetary quintiles (m_score >= 4); at risk = oldest two recency quintiles.
with

customers as (
    select * from {{ ref('customer_rfm') }}
),

final as (
    select
        customer_unique_id,
        customer_state,
        recency_days,
        frequency,
        monetary,
        avg_review_score,
        rfm_segment
    from customers
    where r_score <= 2 and m_score >= 4
)

select * from final
order by monetary desc, customer_unique_id asc
