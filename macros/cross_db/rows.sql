{#- Whole rows: numbering in file order, a row as one value, its JSON, every column but some. -#}

{#- row_number() of the rows of a raw file in the order they were read (the data-row number), a
    bigint. On Spark a file read with multiLine is one partition, so monotonically_increasing_id()
    follows the file. -#}
{% macro source_row_number() -%}
    {{ return(adapter.dispatch('source_row_number', 'olist_segmentation')()) }}
{%- endmacro %}
{% macro default__source_row_number() -%}
    row_number() over ()
{%- endmacro %}
{% macro spark__source_row_number() -%}
    cast(row_number() over (order by monotonically_increasing_id()) as bigint)
{%- endmacro %}


{#- Every column of the relation alias as one struct value. -#}
{% macro row_as_struct(relation_alias) -%}
    {{ return(adapter.dispatch('row_as_struct', 'olist_segmentation')(relation_alias)) }}
{%- endmacro %}
{% macro default__row_as_struct(relation_alias) -%}
    {{ relation_alias }}
{%- endmacro %}
{% macro spark__row_as_struct(relation_alias) -%}
    struct({{ relation_alias }}.*)
{%- endmacro %}


{#- A struct as JSON text, null fields kept as null. -#}
{% macro struct_to_json(expression) -%}
    {{ return(adapter.dispatch('struct_to_json', 'olist_segmentation')(expression)) }}
{%- endmacro %}
{% macro default__struct_to_json(expression) -%}
    to_json({{ expression }})
{%- endmacro %}
{% macro spark__struct_to_json(expression) -%}
    to_json({{ expression }}, map('ignoreNullFields', 'false'))
{%- endmacro %}


{#- `*` without the listed columns. -#}
{% macro star_exclude(columns) -%}
    {{ return(adapter.dispatch('star_exclude', 'olist_segmentation')(columns)) }}
{%- endmacro %}
{% macro default__star_exclude(columns) -%}
    * exclude ({{ columns | join(', ') }})
{%- endmacro %}
{% macro spark__star_exclude(columns) -%}
    * except ({{ columns | join(', ') }})
{%- endmacro %}
