with

order_payments as (
    select * from {{ ref('base_olist__order_payments') }}
    where reject_category is null
),

final as (
    select
        order_id,
        payment_sequential,
        lower(payment_type) as payment_type,
        payment_installments,
        payment_value
    from order_payments
)

select * from final
