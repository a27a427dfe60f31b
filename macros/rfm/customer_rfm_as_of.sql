{#-
    The RFM logic, once, for any set of reference dates.

    orders:         a relation shaped like int_orders_enriched, with its per-person running columns
                    delivered_order_number, new_category_count and main_payment_type_to_date.
    snapshot_dates: a relation with one column `snapshot_date` (date).
    Returns one row per (snapshot_date, customer_unique_id) for every person with at least one
    delivered order purchased strictly before snapshot_date. Behavioural facts (review, delivery)
    count only when they were known before the snapshot date, so a history built from this macro
    never sees the future. The order status is the export's final status: Olist ships no status
    history, so "delivered" is the one fact taken from the end of the data.

    customer_rfm uses it with one date (the reference date); customer_rfm_history with one per month.

    Cost: the join makes orders x snapshot dates rows, so they only meet plain aggregates. What needs
    the person's earlier orders (latest state, categories bought for the first time, payment type
    that paid the most so far) is precomputed once per order in int_orders_enriched, then summed or
    read at the latest order before the date (arg_max on delivered_order_number). Orders purchased
    in the same second fall on the same side of every snapshot date, so this is exact.
-#}
{% macro customer_rfm_as_of(orders, snapshot_dates) %}
    {%- set f_thresholds = rfm_f_score_thresholds() -%}
    with

    delivered_orders as (
        select
            snapshot_dates.snapshot_date,
            orders.customer_unique_id,
            orders.delivered_order_number,
            orders.customer_state,
            orders.purchased_at,
            orders.amount_paid,
            orders.max_installments,
            orders.new_category_count,
            orders.main_payment_type_to_date,
            case when orders.first_review_at < snapshot_dates.snapshot_date then orders.review_score end
                as known_review_score,
            case when orders.delivered_to_customer_at < snapshot_dates.snapshot_date then orders.delivery_days end
                as known_delivery_days,
            case when orders.delivered_to_customer_at < snapshot_dates.snapshot_date then orders.is_late end
                as known_is_late
        from {{ snapshot_dates }} as snapshot_dates
        inner join {{ orders }} as orders
            on orders.purchased_at < snapshot_dates.snapshot_date
        where orders.is_delivered
    ),

    customer_orders as (
        select
            snapshot_date,
            customer_unique_id,
            -- the state of the latest order: people move, campaigns target where they live now
            {{ arg_max('customer_state', 'delivered_order_number') }} as customer_state,
            min(purchased_at) as first_purchase_at,
            max(purchased_at) as last_purchase_at,
            count(*) as frequency,
            cast(sum(amount_paid) as double) as monetary,
            -- averages of doubles are summed by parallel threads in a varying order, so their
            -- last bits changed from build to build: exact decimal sums keep re-runs identical
            avg(cast(known_review_score as decimal(18, 9))) as avg_review_score,
            avg(cast(known_delivery_days as decimal(18, 9))) as avg_delivery_days,
            avg(cast(known_is_late as integer)) as late_delivery_share,
            max(max_installments) as max_installments,
            -- each category is new in exactly one order: the sum is the distinct count
            sum(new_category_count) as category_count,
            -- the payment type that paid the most across the person's orders, as of the latest one
            {{ arg_max('main_payment_type_to_date', 'delivered_order_number') }} as main_payment_type
        from delivered_orders
        group by snapshot_date, customer_unique_id
    ),

    customer_recency as (
        select
            *,
            {{ dbt.datediff('cast(last_purchase_at as date)', 'snapshot_date', 'day') }} as recency_days
        from customer_orders
    ),

    customer_scores as (
        select
            *,
            {{ rfm_rank_score('recency_days desc') }} as r_score,
            case
                when frequency >= {{ f_thresholds[3] }} then 5
                when frequency >= {{ f_thresholds[2] }} then 4
                when frequency >= {{ f_thresholds[1] }} then 3
                when frequency >= {{ f_thresholds[0] }} then 2
                else 1
            end as f_score,
            {{ rfm_rank_score('monetary') }} as m_score
        from customer_recency
    )

    select * from customer_scores
{% endmacro %}


{#- Score 1..5 from the cumulative share of customers at or below the value (ties share a score,
    unlike ntile, which splits equal values across buckets at random). -#}
{% macro rfm_rank_score(order_by) -%}
    cast(least(5, greatest(1, ceil(5 * cume_dist() over (partition by snapshot_date order by {{ order_by }}) - 1e-9))) as integer)
{%- endmacro %}


{#- The var rfm_f_score_min_orders, validated: four increasing integers, the first at least 2. -#}
{% macro rfm_f_score_thresholds() %}
    {%- set thresholds = var('rfm_f_score_min_orders') -%}
    {%- if thresholds is string -%}
        {%- set thresholds = fromjson(thresholds) -%}
    {%- endif -%}
    {%- set check = namespace(valid=(thresholds is iterable and thresholds is not string and thresholds | length == 4)) -%}
    {%- if check.valid -%}
        {%- for value in thresholds -%}
            {%- if value is not number or value != value | int or (loop.first and value < 2) or (not loop.first and value <= thresholds[loop.index0 - 1]) -%}
                {%- set check.valid = false -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {%- if not check.valid -%}
        {{ exceptions.raise_compiler_error(
            "Invalid var rfm_f_score_min_orders=" ~ thresholds
            ~ ": expected 4 increasing integers, the first at least 2 (minimum delivered orders for f_score 2, 3, 4, 5), e.g. [2, 3, 4, 6]"
        ) }}
    {%- endif -%}
    {{ return(thresholds) }}
{% endmacro %}
