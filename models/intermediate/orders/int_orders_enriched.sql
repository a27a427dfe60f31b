with

orders as (
    select * from {{ ref('stg_olist__orders') }}
),

customers as (
    select * from {{ ref('stg_olist__customers') }}
),

order_items as (
    select * from {{ ref('int_order_items_aggregated_to_orders') }}
),

order_payments as (
    select * from {{ ref('int_order_payments_aggregated_to_orders') }}
),

order_reviews as (
    select * from {{ ref('int_order_reviews_aggregated_to_orders') }}
),

enriched_orders as (
    select
        orders.order_id,
        orders.customer_id,
        customers.customer_unique_id,
        customers.customer_state,
        customers.customer_zip_code_prefix,
        customers.customer_city,
        orders.order_status,
        orders.order_status = 'delivered' as is_delivered,
        orders.purchased_at,
        orders.approved_at,
        orders.delivered_to_customer_at,
        orders.estimated_delivery_at,
        coalesce(order_items.item_count, 0) as item_count,
        coalesce(order_items.items_value, 0) as items_value,
        coalesce(order_items.freight_value, 0) as freight_value,
        coalesce(order_payments.amount_paid, 0) as amount_paid,
        coalesce(order_payments.voucher_value, 0) as voucher_value,
        coalesce(order_payments.payment_row_count, 0) as payment_row_count,
        order_payments.max_installments,
        order_payments.main_payment_type,
        order_reviews.review_score,
        order_reviews.first_review_at,
        {{ fractional_days_between('orders.purchased_at', 'orders.delivered_to_customer_at') }}
            as delivery_days,
        {{ fractional_days_between('orders.estimated_delivery_at', 'orders.delivered_to_customer_at') }}
            as delay_days,
        case
            when orders.delivered_to_customer_at is null or orders.estimated_delivery_at is null then null
            else orders.delivered_to_customer_at::date > orders.estimated_delivery_at::date
        end as is_late,
        -- when the order was known as delivered: at delivery (or the promised date, for the few
        -- delivered orders without one), never before the purchase
        case
            when orders.order_status = 'delivered' then greatest(
                    orders.purchased_at,
                    coalesce(orders.delivered_to_customer_at, orders.estimated_delivery_at)
                )
        end as known_delivered_at,
        coalesce(order_items.product_categories, {{ empty_text_list() }}) as product_categories
    from orders
    -- an order whose customer is unknown is kept out here and reported by int_orphan_rows_identified
    inner join customers
        on orders.customer_id = customers.customer_id
    left join order_items
        on orders.order_id = order_items.order_id
    left join order_payments
        on orders.order_id = order_payments.order_id
    left join order_reviews
        on orders.order_id = order_reviews.order_id
),

-- Running facts per delivered order, numbered in the order they became known as delivered: the
-- orders counted at any date are the person's first n, so customer_rfm and customer_rfm_history
-- read them exactly with plain sums and arg_max.
delivered_orders as (
    select
        order_id,
        customer_unique_id,
        amount_paid,
        main_payment_type,
        product_categories,
        -- to the second, then order_id: orders known in one second fall on one side of any date
        row_number() over (
            partition by customer_unique_id
            order by {{ dbt.date_trunc('second', 'known_delivered_at') }}, order_id
        ) as delivered_order_number
    from enriched_orders
    where is_delivered and known_delivered_at is not null
),

delivered_order_categories as (
    select
        order_id,
        customer_unique_id,
        delivered_order_number,
        {{ unnest_list('product_categories') }} as product_category
    from delivered_orders
),

first_category_orders as (
    -- the person's first delivered order containing each category
    select
        order_id,
        product_category
    from delivered_order_categories
    where product_category != 'unknown'
    qualify row_number() over (
            partition by customer_unique_id, product_category order by delivered_order_number
        ) = 1
),

order_new_category_counts as (
    select
        order_id,
        count(*) as new_category_count
    from first_category_orders
    group by order_id
),

customer_payment_types as (
    select distinct
        customer_unique_id,
        main_payment_type as payment_type
    from delivered_orders
    where main_payment_type is not null
),

payment_type_orders as (
    -- each delivered order once per payment type its person uses: did that type pay it, and how much
    select
        delivered_orders.order_id,
        delivered_orders.customer_unique_id,
        delivered_orders.delivered_order_number,
        customer_payment_types.payment_type,
        case when delivered_orders.main_payment_type = customer_payment_types.payment_type then 1 else 0 end
            as is_paid_with_type,
        case
            when delivered_orders.main_payment_type = customer_payment_types.payment_type
                then delivered_orders.amount_paid
            else 0
        end as amount_paid_with_type
    from delivered_orders
    inner join customer_payment_types
        on delivered_orders.customer_unique_id = customer_payment_types.customer_unique_id
),

payment_type_amounts_to_date as (
    select
        order_id,
        payment_type,
        sum(is_paid_with_type) over (
            partition by customer_unique_id, payment_type
            order by delivered_order_number
            rows between unbounded preceding and current row
        ) as orders_paid_with_type,
        sum(amount_paid_with_type) over (
            partition by customer_unique_id, payment_type
            order by delivered_order_number
            rows between unbounded preceding and current row
        ) as amount_paid_with_type
    from payment_type_orders
),

main_payment_types_to_date as (
    -- the type that paid the most over the person's delivered orders so far; ties broken by name
    select
        order_id,
        payment_type as main_payment_type_to_date
    from payment_type_amounts_to_date
    where orders_paid_with_type > 0
    qualify row_number() over (
            partition by order_id order by amount_paid_with_type desc, payment_type asc
        ) = 1
),

final as (
    select
        enriched_orders.*,
        delivered_orders.delivered_order_number,
        case
            when delivered_orders.order_id is not null
                then coalesce(order_new_category_counts.new_category_count, 0)
        end as new_category_count,
        main_payment_types_to_date.main_payment_type_to_date
    from enriched_orders
    left join delivered_orders
        on enriched_orders.order_id = delivered_orders.order_id
    left join order_new_category_counts
        on enriched_orders.order_id = order_new_category_counts.order_id
    left join main_payment_types_to_date
        on enriched_orders.order_id = main_payment_types_to_date.order_id
)

select * from final
