{#- Feature drift of the stability simulation: one row per (origin t0, month after it, feature). -#}
with

measured as (
    select * from {{ ref('int_segment_stability_measured') }}
),

final as (
    select
        t0,
        snapshot_date,
        month_offset,
        item as feature,
        cast(item_position as integer) as feature_position,
        value as psi
    from measured
    where measure = 'psi'
)

select * from final
order by t0, month_offset, feature_position
