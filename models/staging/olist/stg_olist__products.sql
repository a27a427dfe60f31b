with

products as (
    select * from {{ ref('base_olist__products') }}
    where reject_category is null
),

final as (
    select
        product_id,
        lower(product_category_name) as product_category_name,
        product_name_length,
        product_description_length,
        product_photo_count,
        product_weight_g,
        product_length_cm,
        product_height_cm,
        product_width_cm
    from products
)

select * from final
