-- Whatever fail_on_rejects says, a source whose rejected share exceeds var max_reject_share is
-- more likely a wrong file or a format change than a few bad rows: fail the build.
with

rejects as (
    select source_table, count(*) as rows_rejected
    from {{ ref('stg_olist__rejects') }}
    where reject_category != 'duplicate'
    group by source_table
),

staged as (
    select 'olist_orders_dataset' as source_table, count(*) as rows_staged from {{ ref('stg_olist__orders') }}
    union all select 'olist_customers_dataset', count(*) from {{ ref('stg_olist__customers') }}
    union all select 'olist_order_items_dataset', count(*) from {{ ref('stg_olist__order_items') }}
    union all select 'olist_order_payments_dataset', count(*) from {{ ref('stg_olist__order_payments') }}
    union all select 'olist_order_reviews_dataset', count(*) from {{ ref('stg_olist__order_reviews') }}
    union all select 'olist_products_dataset', count(*) from {{ ref('stg_olist__products') }}
    union all select 'olist_sellers_dataset', count(*) from {{ ref('stg_olist__sellers') }}
    union all select 'product_category_name_translation', count(*) from {{ ref('stg_olist__category_translations') }}
)

select
    rejects.source_table,
    rejects.rows_rejected,
    staged.rows_staged,
    rejects.rows_rejected / (rejects.rows_rejected + staged.rows_staged) as rejected_share
from rejects
inner join staged on rejects.source_table = staged.source_table
where rejects.rows_rejected / (rejects.rows_rejected + staged.rows_staged) > {{ var('max_reject_share') }}
