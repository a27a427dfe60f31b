{#- Row accounting per raw file: rows read = staged + rejected, and what happened to the rest. -#}
{%- set tables = [
    ('olist_customers_dataset', 'customers'),
    ('olist_orders_dataset', 'orders'),
    ('olist_order_items_dataset', 'order_items'),
    ('olist_order_payments_dataset', 'order_payments'),
    ('olist_order_reviews_dataset', 'order_reviews'),
    ('olist_products_dataset', 'products'),
    ('olist_sellers_dataset', 'sellers'),
    ('product_category_name_translation', 'category_translations'),
] -%}

with

rejects as (
    select * from {{ ref('stg_olist__rejects') }}
),

orphans as (
    select * from {{ ref('int_orphan_rows_identified') }}
),

{% for source_table, entity in tables %}
    {{ entity }}_counts as (
        select
            '{{ source_table }}' as source_table,
            (select count(*) from {{ source('olist', source_table) }}) as rows_read,
            (select count(*) from {{ ref('stg_olist__' ~ entity) }}) as rows_staged
    ),
{% endfor %}

read_and_staged as (
    {% for _, entity in tables %}
        select * from {{ entity }}_counts
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
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
        read_and_staged.source_table,
        read_and_staged.rows_read,
        read_and_staged.rows_staged,
        coalesce(reject_counts.rows_untypable, 0) as rows_untypable,
        coalesce(reject_counts.rows_invalid, 0) as rows_invalid,
        coalesce(reject_counts.rows_duplicate, 0) as rows_duplicate,
        coalesce(orphan_counts.rows_orphaned, 0) as rows_orphaned,
        read_and_staged.rows_read
        - read_and_staged.rows_staged
        - coalesce(reject_counts.rows_untypable, 0)
        - coalesce(reject_counts.rows_invalid, 0)
        - coalesce(reject_counts.rows_duplicate, 0) as rows_unexplained,
        cast(coalesce(reject_counts.rows_untypable, 0) + coalesce(reject_counts.rows_invalid, 0) as double)
        / nullif(read_and_staged.rows_read, 0) as rejected_share
    from read_and_staged
    left join reject_counts
        on read_and_staged.source_table = reject_counts.source_table
    left join orphan_counts
        on read_and_staged.source_table = orphan_counts.source_table
)

select * from final
order by source_table
