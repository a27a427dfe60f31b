with

order_items as (
    select * from {{ ref('stg_olist__order_items') }}
),

products as (
    select * from {{ ref('stg_olist__products') }}
),

category_translations as (
    select * from {{ ref('stg_olist__category_translations') }}
),

items_with_category as (
    select
        order_items.order_id,
        order_items.product_id,
        order_items.seller_id,
        order_items.price,
        order_items.freight_value,
        -- two real categories have no translation: keep the Portuguese name rather than lose them
        coalesce(
            category_translations.product_category_name_english,
            products.product_category_name,
            'unknown'
        ) as product_category
    from order_items
    left join products
        on order_items.product_id = products.product_id
    left join category_translations
        on products.product_category_name = category_translations.product_category_name
),

final as (
    select
        order_id,
        count(*) as item_count,
        count(distinct product_id) as distinct_product_count,
        count(distinct seller_id) as distinct_seller_count,
        sum(price) as items_value,
        sum(freight_value) as freight_value,
        {{ list_sort(list_distinct(list_agg('product_category'))) }} as product_categories
    from items_with_category
    group by order_id
)

select * from final
