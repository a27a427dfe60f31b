with

order_items as (
    select * from {{ ref('base_olist__order_items') }}
    where reject_category is null
),

final as (
    select
        order_id,
        order_item_id,
        product_id,
        seller_id,
        shipping_limit_at,
        price,
        freight_value
    from order_items
)

select * from final
