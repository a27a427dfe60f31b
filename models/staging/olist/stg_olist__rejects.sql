{#- Every raw row that was not staged, with the table, its data-row number in the file and why.
    The base models come from olist_base_relations(); table names and keys from the sources yml. -#}
{%- set base_relations = olist_base_relations() -%}
{%- set raw_tables = olist_raw_tables_of(base_relations, 'stg_olist__rejects') -%}

with

{% for relation in base_relations %}
    {%- set raw_table = raw_tables[loop.index0] %}
    {{ relation.identifier }}_rejects as (
        select
            '{{ raw_table.name }}' as source_table,
            _source_row as source_row,
            cast({{ olist_record_key(raw_table) }} as {{ dbt.type_string() }}) as record_key,
            reject_category,
            reject_reason,
            raw_record
        from {{ relation }}
        where reject_category is not null
    ),
{% endfor %}

final as (
    {% for relation in base_relations %}
        select * from {{ relation.identifier }}_rejects
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
