{#- segment_transitions for BI tools, under an enforced contract: the rows of the Python model
    segment_transitions_computed (a Python model cannot carry a contract) with their types fixed. -#}
with

computed as (
    select * from {{ ref('segment_transitions_computed') }}
),

final as (
    select
        cast(t0 as date) as t0,
        cast(from_month_offset as bigint) as from_month_offset,
        cast(to_month_offset as bigint) as to_month_offset,
        cast(from_snapshot_date as date) as from_snapshot_date,
        cast(to_snapshot_date as date) as to_snapshot_date,
        cast(from_segment_id as bigint) as from_segment_id,
        cast(to_segment_id as bigint) as to_segment_id,
        cast(customer_count as bigint) as customer_count,
        cast(history_sample_share as double) as history_sample_share
    from computed
)

select * from final
