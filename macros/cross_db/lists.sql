{#- Lists (DuckDB) / arrays (Spark). -#}

{#- Aggregate: the values of `expression` in the group as a list (nulls dropped on Spark; the
    callers never aggregate nulls). -#}
{% macro list_agg(expression) -%}
    {{ return(adapter.dispatch('list_agg', 'olist_segmentation')(expression)) }}
{%- endmacro %}
{% macro default__list_agg(expression) -%}
    list({{ expression }})
{%- endmacro %}
{% macro spark__list_agg(expression) -%}
    collect_list({{ expression }})
{%- endmacro %}


{#- The list sorted ascending. -#}
{% macro list_sort(list_expression) -%}
    {{ return(adapter.dispatch('list_sort', 'olist_segmentation')(list_expression)) }}
{%- endmacro %}
{% macro default__list_sort(list_expression) -%}
    list_sort({{ list_expression }})
{%- endmacro %}
{% macro spark__list_sort(list_expression) -%}
    array_sort({{ list_expression }})
{%- endmacro %}


{#- The list without repeated elements. -#}
{% macro list_distinct(list_expression) -%}
    {{ return(adapter.dispatch('list_distinct', 'olist_segmentation')(list_expression)) }}
{%- endmacro %}
{% macro default__list_distinct(list_expression) -%}
    list_distinct({{ list_expression }})
{%- endmacro %}
{% macro spark__list_distinct(list_expression) -%}
    array_distinct({{ list_expression }})
{%- endmacro %}


{#- An empty list of text, typed (so that coalesce() with a list of text works). -#}
{% macro empty_text_list() -%}
    {{ return(adapter.dispatch('empty_text_list', 'olist_segmentation')()) }}
{%- endmacro %}
{% macro default__empty_text_list() -%}
    []::varchar[]
{%- endmacro %}
{% macro spark__empty_text_list() -%}
    cast(array() as array<string>)
{%- endmacro %}


{#- In a select list: one output row per element of the list (a set-returning function). -#}
{% macro unnest_list(list_expression) -%}
    {{ return(adapter.dispatch('unnest_list', 'olist_segmentation')(list_expression)) }}
{%- endmacro %}
{% macro default__unnest_list(list_expression) -%}
    unnest({{ list_expression }})
{%- endmacro %}
{% macro spark__unnest_list(list_expression) -%}
    explode({{ list_expression }})
{%- endmacro %}


{#- In a select list: one output row per integer of [start, stop) (stop excluded, like range()). -#}
{% macro unnest_range(start, stop) -%}
    {{ return(adapter.dispatch('unnest_range', 'olist_segmentation')(start, stop)) }}
{%- endmacro %}
{% macro default__unnest_range(start, stop) -%}
    unnest(range({{ start }}, {{ stop }}))
{%- endmacro %}
{% macro spark__unnest_range(start, stop) -%}
    explode(sequence({{ start }}, ({{ stop }}) - 1))
{%- endmacro %}
