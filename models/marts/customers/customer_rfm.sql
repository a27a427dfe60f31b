{#- One row per real person (customer_unique_id) with at least one order delivered before the
    reference date (the as-of rule of macro customer_rfm_as_of). -#}
{%- set reference_date = var('rfm_reference_date') -%}

with

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

order_reviews as (
    select * from {{ ref('stg_olist__order_reviews') }}
),

states as (
    select * from {{ ref('brazil_states') }}
),

segment_rules as (
    select * from {{ ref('rfm_segment_rules') }}
),

data_range as (
    -- the default reference date follows the last delivered purchase: orders never delivered
    -- (canceled, unavailable) would otherwise stretch every recency past the data
    select
        cast(min(purchased_at) as date) as first_purchase_date,
        cast(max(purchased_at) as date) as last_purchase_date,
        cast(max(case when is_delivered then purchased_at end) as date) as last_delivered_purchase_date
    from orders
),

reference_dates as (
    select
        {%- if reference_date %}
        case
            when try_cast('{{ reference_date }}' as date) is null
                then {{ raise_error("'Invalid var rfm_reference_date=" ~ reference_date ~ ": expected a date YYYY-MM-DD, or null for the day after the last purchase'") }}
            when try_cast('{{ reference_date }}' as date) <= first_purchase_date
                or try_cast('{{ reference_date }}' as date) > last_purchase_date + interval 366 day
                then {{ raise_error(
                    "'Invalid var rfm_reference_date=" ~ reference_date ~ ": expected a date after the first purchase ('"
                    ~ " || first_purchase_date || ') and at most a year after the last one (' || last_purchase_date || ')'"
                ) }}
            else try_cast('{{ reference_date }}' as date)
        end as snapshot_date
        {%- else %}
            cast(last_delivered_purchase_date + interval 1 day as date) as snapshot_date
        {%- endif %}
    from data_range
),

customer_features as (
    {{ customer_rfm_as_of('orders', 'order_reviews', 'reference_dates') }}
),

labelled as (
    select
        customer_features.*,
        segment_rules.rfm_segment
    from customer_features
    left join segment_rules
        on customer_features.r_score between segment_rules.r_min and segment_rules.r_max
            and customer_features.f_score between segment_rules.f_min and segment_rules.f_max
            and customer_features.m_score between segment_rules.m_min and segment_rules.m_max
    qualify row_number() over (
            partition by customer_features.customer_unique_id order by segment_rules.priority
        ) = 1
),

final as (
    select
        labelled.customer_unique_id,
        labelled.customer_state,
        coalesce(states.region, 'Unknown') as customer_region,
        labelled.first_purchase_at,
        labelled.last_purchase_at,
        cast(labelled.recency_days as integer) as recency_days,
        cast(labelled.frequency as integer) as frequency,
        labelled.monetary,
        labelled.r_score,
        labelled.f_score,
        labelled.m_score,
        cast(labelled.r_score as {{ dbt.type_string() }}) || labelled.f_score || labelled.m_score as rfm_score,
        labelled.rfm_segment,
        labelled.monetary / labelled.frequency as avg_order_value,
        cast(labelled.avg_review_score as double) as avg_review_score,
        cast(labelled.avg_delivery_days as double) as avg_delivery_days,
        cast(labelled.late_delivery_share as double) as late_delivery_share,
        cast(labelled.category_count as integer) as category_count,
        labelled.main_payment_type,
        cast(labelled.max_installments as integer) as max_installments,
        labelled.snapshot_date as reference_date
    from labelled
    left join states
        on labelled.customer_state = states.state_code
)

select * from final
order by customer_unique_id
