-- Orphans (typed rows whose parent is missing, listed by int_orphan_rows_identified and counted in
-- data_quality.orphaned_row_count) are kept out of the marts: a warning by default, like quarantined
-- rows; with `--vars '{fail_on_rejects: true}'` they fail the build too.
{{ config(severity=('error' if var('fail_on_rejects') | string | lower in ['true', '1', 'yes'] else 'warn')) }}

select
    source_table,
    record_key,
    orphan_reason
from {{ ref('int_orphan_rows_identified') }}
