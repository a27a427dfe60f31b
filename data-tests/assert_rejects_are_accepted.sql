-- Quarantined rows are a warning by default (the build goes on without them); with
-- `--vars '{fail_on_rejects: true}'` any reject fails the build.
{{ config(severity=('error' if var('fail_on_rejects') | string | lower in ['true', '1', 'yes'] else 'warn')) }}

select
    source_table,
    source_row,
    record_key,
    reject_category,
    reject_reason
from {{ ref('stg_olist__rejects') }}
where reject_category != 'duplicate'
