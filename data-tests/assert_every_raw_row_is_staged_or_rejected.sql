-- Row accounting: for every source, rows read = rows staged + rows rejected (untypable, invalid
-- or duplicate, see stg_olist__rejects). A difference means a row was lost somewhere.
select
    source_table,
    rows_read,
    rows_staged,
    rows_unexplained
from {{ ref('data_quality') }}
where rows_unexplained != 0
