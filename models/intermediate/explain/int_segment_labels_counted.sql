{#- One row per segment that has customers: its name, model version and customer count, the
    labels of the segment profiles. -#}
with

segments as (
    select * from {{ ref('customer_segments') }}
),

segmented_customers as (
    select
        cast(segment_id as bigint) as segment_id,
        segment_name,
        model_version
    from segments
    where segment_id is not null
),

final as (
    select
        segment_id,
        segment_name,
        model_version,
        count(*) as customer_count
    from segmented_customers
    group by segment_id, segment_name, model_version
)

select * from final
order by segment_id
