{#- Row accounting per raw file: rows read = staged + rejected, and what happened to the rest. -#}
with

raw_rows as (
    select * from {{ ref('int_raw_rows_counted') }}
),

rejects as (
    select * from {{ ref('stg_olist__rejects') }}
),

orphans as (
    select * from {{ ref('int_orphan_rows_identified') }}
),

reject_counts as (
    select
        source_table,
        count(*) filter (where reject_category = 'untypable') as untypable_row_count,
        count(*) filter (where reject_category = 'invalid') as invalid_row_count,
        count(*) filter (where reject_category = 'duplicate') as duplicate_row_count
    from rejects
    group by source_table
),

orphan_counts as (
    select
        source_table,
        count(*) as orphaned_row_count
    from orphans
    group by source_table
),

final as (
    select
        raw_rows.source_table,
        raw_rows.read_row_count,
        raw_rows.staged_row_count,
        coalesce(reject_counts.untypable_row_count, 0) as untypable_row_count,
        coalesce(reject_counts.invalid_row_count, 0) as invalid_row_count,
        coalesce(reject_counts.duplicate_row_count, 0) as duplicate_row_count,
        coalesce(orphan_counts.orphaned_row_count, 0) as orphaned_row_count,
        raw_rows.read_row_count
        - raw_rows.staged_row_count
        - coalesce(reject_counts.untypable_row_count, 0)
        - coalesce(reject_counts.invalid_row_count, 0)
        - coalesce(reject_counts.duplicate_row_count, 0) as unexplained_row_count,
        cast(coalesce(reject_counts.untypable_row_count, 0) + coalesce(reject_counts.invalid_row_count, 0) as double)
        / nullif(raw_rows.read_row_count, 0) as rejected_share
    from raw_rows
    left join reject_counts
        on raw_rows.source_table = reject_counts.source_table
    left join orphan_counts
        on raw_rows.source_table = orphan_counts.source_table
)

select * from final
order by source_table
