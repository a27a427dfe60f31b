-- Row accounting: for every source, rows read = rows staged + rows rejected (untypable, invalid
-- or duplicate, see stg_olist__rejects). A difference means a row was lost somewhere.
select
    source_table,
    read_row_count,
    staged_row_count,
    unexplained_row_count
from {{ ref('data_quality') }}
where unexplained_row_count != 0
