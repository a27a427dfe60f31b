{#- Rows read and staged per raw file. Every raw row reaches its base model (staged or with its
    reject reason), so read_row_count is counted there instead of reading the source again outside
    staging; staged_row_count is counted on the staging model itself, so that a row lost between base
    and staging shows in data_quality.unexplained_row_count. -#}
{%- set base_relations = olist_base_relations() -%}
{%- set staging_relations = [
    ref('stg_olist__customers'),
    ref('stg_olist__orders'),
    ref('stg_olist__order_items'),
    ref('stg_olist__order_payments'),
    ref('stg_olist__order_reviews'),
    ref('stg_olist__products'),
    ref('stg_olist__sellers'),
    ref('stg_olist__category_translations'),
] -%}
{%- set base_tables = olist_raw_tables_of(base_relations, 'int_raw_rows_counted') -%}
{%- set staging_tables = olist_raw_tables_of(staging_relations, 'int_raw_rows_counted') -%}
{%- set staging_by_table = {} -%}
{%- for staging_table in staging_tables -%}
    {%- do staging_by_table.update({staging_table.name: staging_relations[loop.index0]}) -%}
{%- endfor -%}

with

{% for base_relation in base_relations %}
    {%- set raw_table = base_tables[loop.index0] %}
    {{ base_relation.identifier }}_counts as (
        select
            '{{ raw_table.name }}' as source_table,
            (select count(*) from {{ base_relation }}) as read_row_count,
            (select count(*) from {{ staging_by_table.get(raw_table.name) }}) as staged_row_count
    ),
{% endfor %}

final as (
    {% for base_relation in base_relations %}
        select * from {{ base_relation.identifier }}_counts
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
