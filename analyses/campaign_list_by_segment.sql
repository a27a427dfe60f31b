-- Campaign list of one KMeans segment, with the keys a CRM needs to reach the person.
-- Change the segment with: dbt compile --vars '{campaign_segment_id: 3}'
with

segments as (
    select * from {{ ref('customer_segments') }}
),

orders as (
    select * from {{ ref('int_orders_enriched') }}
),

latest_contact as (
    -- Olist creates a customer_id per order: the latest one is the CRM's current record
    select
        customer_unique_id,
        arg_max(customer_id, purchased_at) as latest_customer_id,
        arg_max(customer_zip_code_prefix, purchased_at) as customer_zip_code_prefix,
        arg_max(customer_city, purchased_at) as customer_city
    from orders
    group by customer_unique_id
),

final as (
    select
        segments.segment_id,
        segments.segment_name,
        segments.customer_unique_id,
        latest_contact.latest_customer_id,
        latest_contact.customer_zip_code_prefix,
        latest_contact.customer_city,
        segments.customer_state,
        segments.recency_days,
        segments.frequency,
        segments.monetary
    from segments
    inner join latest_contact
        on segments.customer_unique_id = latest_contact.customer_unique_id
    where segments.segment_id = {{ var('campaign_segment_id', 1) }}
)

select * from final
order by monetary desc, customer_unique_id asc
