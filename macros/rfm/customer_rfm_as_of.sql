{#-
    The RFM logic, once, for any set of reference dates.

    orders:         a relation shaped like int_orders_enriched, with known_delivered_at and its
                    per-person running columns delivered_order_number, new_category_count and
                    main_payment_type_to_date.
    reviews:        a relation shaped like stg_olist__order_reviews (one row per review: order_id,
                    review_score, review_answered_at, review_created_at).
    snapshot_dates: a relation with one column `snapshot_date` (date).

    The as-of rule: features are what the business knew at the snapshot date S.
    - An order counts at S when it was delivered to the customer before S (known_delivered_at < S:
      the export's final status says delivered, and its delivery date — or, for the few delivered
      orders without one, the promised date — lies before S; it was then purchased before S too).
      Olist ships no status history, so the final status is the one fact taken from the end of the
      data; the dates decide when it became true.
    - Review scores count only from reviews answered before S, on orders counted at S.
    - The customer's state is that of the latest order counted at S.
    Returns one row per (snapshot_date, customer_unique_id) for every person with at least one
    order counted at S, so a history built from this macro never sees the future.

    customer_rfm uses it with one date (the reference date); customer_rfm_history with one per month.

    Cost: the join makes orders x snapshot dates rows, so they only meet plain aggregates. What needs
    the person's earlier orders (latest state, categories bought for the first time, payment type
    that paid the most so far) is precomputed once per order in int_orders_enriched, numbered in
    the order the orders became known as delivered, then summed or read at the latest order
    counted (arg_max on delivered_order_number). Orders known in the same second fall on the same
    side of every snapshot date, so this is exact.
-#}
{% macro customer_rfm_as_of(orders, reviews, snapshot_dates) %}
    {%- set f_thresholds = rfm_f_score_thresholds() -%}
    with

    known_order_reviews as (
        -- an order's score at S: the mean of its reviews answered before S
        select
            snapshot_dates.snapshot_date,
            reviews.order_id,
            avg(reviews.review_score) as review_score
        from {{ snapshot_dates }} as snapshot_dates
        inner join {{ reviews }} as reviews
            -- a review without an answer time counts from its creation
            on coalesce(reviews.review_answered_at, reviews.review_created_at) < snapshot_dates.snapshot_date
        group by snapshot_dates.snapshot_date, reviews.order_id
    ),

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
            known_order_reviews.review_score as known_review_score,
            orders.delivery_days as known_delivery_days,
            orders.is_late as known_is_late
        from {{ snapshot_dates }} as snapshot_dates
        inner join {{ orders }} as orders
            on orders.known_delivered_at < snapshot_dates.snapshot_date
        left join known_order_reviews
            on
                snapshot_dates.snapshot_date = known_order_reviews.snapshot_date
                and orders.order_id = known_order_reviews.order_id
        where orders.is_delivered
    ),

    customer_orders as (
        select
            snapshot_date,
            customer_unique_id,
            -- the state of the latest order counted: people move, campaigns target where they live now
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
