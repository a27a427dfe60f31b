{#- data_quality v1 (README, Governance: versions): the columns it had before
    the rename of its counts to <thing>_row_count.
    Deprecated on 2027-03-01: read the latest version, `ref('data_quality')`. -#}
with

latest as (
    select * from {{ ref('data_quality', v=2) }}
),

final as (
    select
        source_table,
        rejected_share,
        read_row_count as rows_read,
        staged_row_count as rows_staged,
        untypable_row_count as rows_untypable,
        invalid_row_count as rows_invalid,
        duplicate_row_count as rows_duplicate,
        orphaned_row_count as rows_orphaned,
        unexplained_row_count as rows_unexplained
    from latest
)

select * from final
