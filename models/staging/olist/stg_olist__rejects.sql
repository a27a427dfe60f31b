{#- Every raw row that was not staged, with the table, its data-row number in the file and why. -#}
{%- set base_models = [
    ('olist_customers_dataset', 'base_olist__customers', "customer_id"),
    ('olist_orders_dataset', 'base_olist__orders', "order_id"),
    ('olist_order_items_dataset', 'base_olist__order_items', "order_id || '/' || order_item_id"),
    ('olist_order_payments_dataset', 'base_olist__order_payments', "order_id || '/' || payment_sequential"),
    ('olist_order_reviews_dataset', 'base_olist__order_reviews', "review_id || '/' || order_id"),
    ('olist_products_dataset', 'base_olist__products', "product_id"),
    ('olist_sellers_dataset', 'base_olist__sellers', "seller_id"),
    ('product_category_name_translation', 'base_olist__category_translations', "product_category_name"),
] -%}

with

{% for source_table, base_model, record_key in base_models %}
    {{ base_model }}_rejects as (
        select
            '{{ source_table }}' as source_table,
            _source_row as source_row,
            cast({{ record_key }} as {{ dbt.type_string() }}) as record_key,
            reject_category,
            reject_reason,
            raw_record
        from {{ ref(base_model) }}
        where reject_category is not null
    ),
{% endfor %}

final as (
    {% for _, base_model, _ in base_models %}
        select * from {{ base_model }}_rejects
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
