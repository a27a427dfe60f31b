{#- Segment share drift of the stability simulation (frozen model): one row per (origin t0, month after it,
    segment), with the segment's share at t0 alongside. -#}
with

measured as (
    select * from {{ ref('int_segment_stability_measured') }}
),

final as (
    select
        t0,
        snapshot_date,
        month_offset,
        cast(item_position as integer) as segment_id,
        max(value) filter (where measure = 'segment_share') as segment_share,
        max(value) filter (where measure = 'segment_share_t0') as segment_share_t0
    from measured
    where measure in ('segment_share', 'segment_share_t0')
    group by t0, snapshot_date, month_offset, item_position
)

select * from final
order by t0, month_offset, segment_id
