with

category_translations as (
    select * from {{ ref('base_olist__category_translations') }}
    where reject_category is null
),

final as (
    select
        lower(product_category_name) as product_category_name,
        lower(product_category_name_english) as product_category_name_english
    from category_translations
)

select * from final
