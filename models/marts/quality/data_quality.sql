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
        count(*) filter (where reject_category = 'untypable') as rows_untypable,
        count(*) filter (where reject_category = 'invalid') as rows_invalid,
        count(*) filter (where reject_category = 'duplicate') as rows_duplicate
    from rejects
    group by source_table
),

orphan_counts as (
    select
        source_table,
        count(*) as rows_orphaned
    from orphans
    group by source_table
),

final as (
    select
        raw_rows.source_table,
        raw_rows.rows_read,
        raw_rows.rows_staged,
        coalesce(reject_counts.rows_untypable, 0) as rows_untypable,
        coalesce(reject_counts.rows_invalid, 0) as rows_invalid,
        coalesce(reject_counts.rows_duplicate, 0) as rows_duplicate,
        coalesce(orphan_counts.rows_orphaned, 0) as rows_orphaned,
        raw_rows.rows_read
        - raw_rows.rows_staged
        - coalesce(reject_counts.rows_untypable, 0)
        - coalesce(reject_counts.rows_invalid, 0)
        - coalesce(reject_counts.rows_duplicate, 0) as rows_unexplained,
        cast(coalesce(reject_counts.rows_untypable, 0) + coalesce(reject_counts.rows_invalid, 0) as double)
        / nullif(raw_rows.rows_read, 0) as rejected_share
    from raw_rows
    left join reject_counts
        on raw_rows.source_table = reject_counts.source_table
    left join orphan_counts
        on raw_rows.source_table = orphan_counts.source_table
)

select * from final
order by source_table
