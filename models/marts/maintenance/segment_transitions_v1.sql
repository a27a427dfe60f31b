{#- segment_transitions v1 (README, Governance: versions): the columns it had before
    customers was renamed customer_count.
    Deprecated on 2027-03-01: read the latest version, `ref('segment_transitions')`. -#}
with

latest as (
    select * from {{ ref('segment_transitions', v=2) }}
),

final as (
    select
        t0,
        from_month_offset,
        to_month_offset,
        from_snapshot_date,
        to_snapshot_date,
        from_segment_id,
        to_segment_id,
        history_sample_share,
        customer_count as customers
    from latest
)

select * from final
