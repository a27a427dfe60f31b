{#-
    Types one raw Olist table (read as text) and keeps every row accountable.

    Each raw row ends up either staged or rejected with a reason:
      - reject_category 'untypable': a value that cannot be cast to its type, or a required value missing;
      - reject_category 'invalid':   a typed row that breaks a business check (negative price...);
      - reject_category 'duplicate': a second row for the same key (the rule is written in the reason).
    Nothing is dropped silently: `stg_olist__rejects` unions the rejected rows of every table.

    The columns (type, required, staged name) and the key come from the source's declaration in
    _olist__sources.yml (see olist_raw_table); the model passes only its business checks.

    source_relation: source('olist', <table>).
    checks:          list of {when: sql true for a BAD typed row (staged column names), reason: text}.
-#}
{% macro stage_with_rejects(source_relation, checks=[], keep_first_by='_source_row') %}

{%- set table = olist_raw_table(source_relation.identifier) -%}
{%- if table is none -%}
    {#- parse time: the graph (hence the columns) is not known yet, and the SQL is never run -#}
    select 1 as parsed_without_graph
{%- else -%}
{%- set columns = table.columns -%}
{%- set key_columns = table.key_columns -%}

with

raw_rows as (
    select
        {{ source_row_number() }} as _source_row,
        raw_text.*
    from {{ source_relation }} as raw_text
),

typed as (
    select
        _source_row,
        {%- for column in columns %}
        {{ olist_typed_value(column.name, column.type) }} as {{ column.staged_as }},
        {%- endfor %}
        nullif(concat_ws('; '
        {%- for column in columns %},
            {{ olist_type_error(column.name, column.type, column.required) }}
        {%- endfor %}
        ), '') as _type_errors,
        {{ row_as_struct('raw_rows') }} as _raw
    from raw_rows
),

checked as (
    select
        *,
        {%- if checks | length > 0 %}
        nullif(concat_ws('; '
        {%- for check in checks %},
            case when {{ check.when }} then '{{ check.reason | replace("'", "''") }}' end
        {%- endfor %}
        ), '') as _check_errors
        {%- else %}
        cast(null as {{ dbt.type_string() }}) as _check_errors
        {%- endif %}
    from typed
),

ranked as (
    select
        *,
        case
            when _type_errors is null and _check_errors is null
                then row_number() over (
                    partition by
                        {{ key_columns | join(', ') }},
                        (_type_errors is null and _check_errors is null)
                    order by {{ keep_first_by }}
                )
        end as _key_rank
    from checked
),

final as (
    select
        {{ star_exclude(['_type_errors', '_check_errors', '_key_rank', '_raw']) }},
        case
            when _type_errors is not null then 'untypable'
            when _check_errors is not null then 'invalid'
            when _key_rank > 1 then 'duplicate'
        end as reject_category,
        case
            when _type_errors is not null then _type_errors
            when _check_errors is not null then _check_errors
            when _key_rank > 1
                then 'duplicate key ({{ key_columns | join(", ") }}): kept the first row by {{ keep_first_by }}'
        end as reject_reason,
        case
            when _type_errors is not null or _check_errors is not null or _key_rank > 1
                then cast({{ struct_to_json('_raw') }} as {{ dbt.type_string() }})
        end as raw_record
    from ranked
)

select * from final
{%- endif %}

{% endmacro %}


{% macro olist_typed_value(name, type) -%}
    {%- set text_value = "nullif(trim(" ~ adapter.quote(name) ~ "), '')" -%}
    {%- if type == 'text' -%}
        {{ text_value }}
    {%- elif type == 'integer' -%}
        try_cast({{ text_value }} as integer)
    {%- elif type == 'double' -%}
        try_cast({{ text_value }} as double)
    {%- elif type == 'money' -%}
        try_cast({{ text_value }} as decimal(18, 2))
    {%- elif type == 'timestamp' -%}
        try_cast({{ text_value }} as timestamp)
    {%- elif type == 'date' -%}
        try_cast(try_cast({{ text_value }} as timestamp) as date)
    {%- else -%}
        {{ exceptions.raise_compiler_error("stage_with_rejects: unknown type '" ~ type ~ "' for column " ~ name) }}
    {%- endif -%}
{%- endmacro %}


{% macro olist_type_error(name, type, required) -%}
    {%- set text_value = "nullif(trim(" ~ adapter.quote(name) ~ "), '')" -%}
    {%- if not required and type == 'text' -%}
        cast(null as {{ dbt.type_string() }})
    {%- else -%}
    case
        {%- if required %}
        when {{ text_value }} is null then '{{ name }}: required value is missing'
        {%- endif %}
        {%- if type != 'text' %}
        when {{ text_value }} is not null and {{ olist_typed_value(name, type) }} is null
            then '{{ name }}: expected {{ type }}, got "' || left({{ text_value }}, 60) || '"'
        {%- endif %}
    end
    {%- endif -%}
{%- endmacro %}
