-- Whatever fail_on_rejects says, a source whose rejected share exceeds var max_reject_share is
-- more likely a wrong file or a changed format than a few bad rows: fail the build.
select
    source_table,
    read_row_count,
    untypable_row_count,
    invalid_row_count,
    rejected_share
from {{ ref('data_quality') }}
where rejected_share > {{ var('max_reject_share') }}
