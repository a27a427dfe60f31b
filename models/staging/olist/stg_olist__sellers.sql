with

sellers as (
    select * from {{ ref('base_olist__sellers') }}
    where reject_category is null
),

final as (
    select
        seller_id,
        seller_zip_code_prefix,
        lower(seller_city) as seller_city,
        upper(seller_state) as seller_state
    from sellers
)

select * from final
