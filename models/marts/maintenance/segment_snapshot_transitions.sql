{#- Segment moves recorded by the customer_segments snapshot: one row per (change date, from, to). -#}
with

segment_versions as (
    select * from {{ ref('customer_segments_snapshot') }}
),

ordered_versions as (
    select
        customer_unique_id,
        segment_id,
        dbt_valid_from,
        lag(segment_id) over (
            partition by customer_unique_id order by dbt_valid_from
        ) as previous_segment_id
    from segment_versions
),

final as (
    select
        cast(dbt_valid_from as date) as changed_on,
        previous_segment_id as from_segment_id,
        segment_id as to_segment_id,
        count(*) as customer_count
    from ordered_versions
    where previous_segment_id is not null
    group by cast(dbt_valid_from as date), previous_segment_id, segment_id
)

select * from final
order by changed_on, from_segment_id, to_segment_id
