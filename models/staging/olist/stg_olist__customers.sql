with

customers as (
    select * from {{ ref('base_olist__customers') }}
    where reject_category is null
),

final as (
    select
        customer_id,
        customer_unique_id,
        customer_zip_code_prefix,
        lower(customer_city) as customer_city,
        upper(customer_state) as customer_state
    from customers
)

select * from final
