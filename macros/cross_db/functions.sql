{#- Scalar and aggregate functions whose name or signature differs between DuckDB and Spark. -#}

{#- Aggregate: the value of `expression` on the row where `ordering` is largest. -#}
{% macro arg_max(expression, ordering) -%}
    {{ return(adapter.dispatch('arg_max', 'olist_segmentation')(expression, ordering)) }}
{%- endmacro %}
{% macro default__arg_max(expression, ordering) -%}
    arg_max({{ expression }}, {{ ordering }})
{%- endmacro %}
{% macro spark__arg_max(expression, ordering) -%}
    max_by({{ expression }}, {{ ordering }})
{%- endmacro %}


{#- True when the whole string matches the regular expression (a SQL string literal). -#}
{% macro regexp_full_match(expression, pattern) -%}
    {{ return(adapter.dispatch('regexp_full_match', 'olist_segmentation')(expression, pattern)) }}
{%- endmacro %}
{% macro default__regexp_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, {{ pattern }})
{%- endmacro %}
{% macro spark__regexp_full_match(expression, pattern) -%}
    regexp_like({{ expression }}, concat('^(?:', {{ pattern }}, ')$'))
{%- endmacro %}


{#- Fails the query with `message` (a SQL text expression) when evaluated. -#}
{% macro raise_error(message) -%}
    {{ return(adapter.dispatch('raise_error', 'olist_segmentation')(message)) }}
{%- endmacro %}
{% macro default__raise_error(message) -%}
    error({{ message }})
{%- endmacro %}
{% macro spark__raise_error(message) -%}
    raise_error({{ message }})
{%- endmacro %}


{#- Days from `start_timestamp` to `end_timestamp` as a double, to the second (null if either is
    null). Spark: the difference is divided as a double, as DuckDB does; dividing by the decimal
    86400.0 there would round to 7 decimals. -#}
{% macro fractional_days_between(start_timestamp, end_timestamp) -%}
    {{ return(adapter.dispatch('fractional_days_between', 'olist_segmentation')(start_timestamp, end_timestamp)) }}
{%- endmacro %}
{% macro default__fractional_days_between(start_timestamp, end_timestamp) -%}
    date_diff('second', {{ start_timestamp }}, {{ end_timestamp }}) / 86400.0
{%- endmacro %}
{% macro spark__fractional_days_between(start_timestamp, end_timestamp) -%}
    (unix_seconds({{ end_timestamp }}) - unix_seconds({{ start_timestamp }})) / 86400d
{%- endmacro %}


{#- Aggregate: the sum of a double `expression` added in `ordering` order, so that the result does
    not depend on how the engine split the rows between threads (a float sum's last bits do). -#}
{% macro ordered_sum(expression, ordering) -%}
    {{ return(adapter.dispatch('ordered_sum', 'olist_segmentation')(expression, ordering)) }}
{%- endmacro %}
{% macro default__ordered_sum(expression, ordering) -%}
    sum({{ expression }} order by {{ ordering }})
{%- endmacro %}
{#- Spark has no ordered aggregate: the terms in `ordering` order, folded left to right. -#}
{% macro spark__ordered_sum(expression, ordering) -%}
    aggregate(
        transform(array_sort(collect_list(struct({{ ordering }} as o, {{ expression }} as v))), x -> x.v),
        cast(0 as double),
        (total, term) -> total + term
    )
{%- endmacro %}
