{#- Rows that typed fine but point at a parent that does not exist: not lost, listed here with why.
    Which parent a table needs is its meta `parents` in _olist__sources.yml; every table that has
    parents, and every parent, must be among the staging models below. -#}
{%- set staging_relations = [
    ref('stg_olist__customers'),
    ref('stg_olist__orders'),
    ref('stg_olist__order_items'),
    ref('stg_olist__order_payments'),
    ref('stg_olist__order_reviews'),
] -%}
{%- set aliases = {} -%}
{%- for relation in staging_relations -%}
    {%- do aliases.update({olist_raw_table_of(relation).name: relation.identifier.split('__')[-1]}) -%}
{%- endfor -%}
{%- set orphan_checks = [] -%}
{%- for raw_table in olist_raw_tables() -%}
    {%- for parent in raw_table.parents -%}
        {%- for name in [raw_table.name, parent.table] if name not in aliases -%}
            {{ exceptions.raise_compiler_error(
                "int_orphan_rows_identified: " ~ raw_table.name ~ " has parent " ~ parent.table
                ~ " (meta parents in " ~ raw_table.declared_in ~ "): add ref() to the staging model of " ~ name
            ) }}
        {%- endfor -%}
        {%- set child = aliases[raw_table.name] -%}
        {%- set reason_values = [] -%}
        {%- set join_conditions = [] -%}
        {%- for column in parent.key_columns -%}
            {%- do reason_values.append(child ~ '.' ~ column) -%}
            {%- do join_conditions.append(
                child ~ '.' ~ column ~ ' = ' ~ aliases[parent.table] ~ '.' ~ parent.parent_key_columns[loop.index0]
            ) -%}
        {%- endfor -%}
        {%- do orphan_checks.append({
            'source_table': raw_table.name,
            'record_key': olist_record_key(raw_table, child),
            'reason_prefix': parent.key_columns | join('/') ~ ' ',
            'reason_value': reason_values | join(" || '/' || "),
            'reason_suffix': ' is not in ' ~ parent.table,
            'child': child,
            'parent': aliases[parent.table],
            'join_condition': join_conditions | join(' and '),
        }) -%}
    {%- endfor -%}
{%- endfor %}

with

{% for relation in staging_relations %}
    {{ relation.identifier.split('__')[-1] }} as (
        select * from {{ relation }}
    ),

{% endfor %}
{% for check in orphan_checks %}
    {{ check.child }}_without_{{ check.parent }} as (
        select
            '{{ check.source_table }}' as source_table,
            {{ check.record_key }} as record_key,
            '{{ check.reason_prefix }}' || {{ check.reason_value }} || '{{ check.reason_suffix }}' as orphan_reason
        from {{ check.child }}
        anti join {{ check.parent }} on {{ check.join_condition }}
    ),

{% endfor %}
final as (
    {% for check in orphan_checks %}
        select * from {{ check.child }}_without_{{ check.parent }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
