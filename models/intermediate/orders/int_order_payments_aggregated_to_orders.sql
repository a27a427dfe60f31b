with

order_payments as (
    select * from {{ ref('stg_olist__order_payments') }}
),

payment_type_values as (
    select
        order_id,
        payment_type,
        sum(payment_value) as payment_type_value
    from order_payments
    group by order_id, payment_type
),

main_payment_types as (
    -- the type that paid the most; ties broken by name so the choice is deterministic
    select
        order_id,
        payment_type as main_payment_type
    from payment_type_values
    qualify row_number() over (
            partition by order_id order by payment_type_value desc, payment_type asc
        ) = 1
),

payment_totals as (
    select
        order_id,
        count(*) as payment_row_count,
        sum(payment_value) as amount_paid,
        sum(case when payment_type = 'voucher' then payment_value else 0 end) as voucher_value,
        max(payment_installments) as max_installments
    from order_payments
    group by order_id
),

final as (
    select
        payment_totals.order_id,
        payment_totals.payment_row_count,
        payment_totals.amount_paid,
        payment_totals.voucher_value,
        payment_totals.max_installments,
        main_payment_types.main_payment_type
    from payment_totals
    inner join main_payment_types
        on payment_totals.order_id = main_payment_types.order_id
)

select * from final
