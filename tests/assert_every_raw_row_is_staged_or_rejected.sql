-- Row accounting: for every source, rows read = rows staged + rows rejected (untypable, invalid
-- or duplicate, see stg_olist__rejects). A difference means a row was lost somewhere.
{%- set tables = [
    ('olist_customers_dataset', 'customers'),
    ('olist_orders_dataset', 'orders'),
    ('olist_order_items_dataset', 'order_items'),
    ('olist_order_payments_dataset', 'order_payments'),
    ('olist_order_reviews_dataset', 'order_reviews'),
    ('olist_products_dataset', 'products'),
    ('olist_sellers_dataset', 'sellers'),
    ('product_category_name_translation', 'category_translations'),
] %}

with

accounting as (
    {% for source_table, entity in tables %}
    select
        '{{ source_table }}' as source_table,
        (select count(*) from {{ source('olist', source_table) }}) as rows_read,
        (select count(*) from {{ ref('stg_olist__' ~ entity) }}) as rows_staged,
        (
            select count(*) from {{ ref('stg_olist__rejects') }}
            where source_table = '{{ source_table }}'
        ) as rows_rejected
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from accounting
where rows_read != rows_staged + rows_rejected
