with

order_reviews as (
    select * from {{ ref('base_olist__order_reviews') }}
    where reject_category is null
),

final as (
    select
        review_id,
        order_id,
        review_score,
        review_comment_title,
        review_comment_message,
        review_created_at,
        review_answered_at
    from order_reviews
)

select * from final
