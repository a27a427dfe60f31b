with

order_reviews as (
    select * from {{ ref('stg_olist__order_reviews') }}
),

final as (
    -- an order can have several reviews: its score is their mean, and the answer time the first one
    select
        order_id,
        count(*) as review_count,
        avg(review_score) as review_score,
        min(coalesce(review_answered_at, review_created_at)) as first_review_at
    from order_reviews
    group by order_id
)

select * from final
