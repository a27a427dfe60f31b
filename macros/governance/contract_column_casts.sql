{#-
    The select list of a thin SQL front of a Python model: every column of the calling model's
    contract, in the contract's order, cast to its declared data_type. A Python model cannot carry
    a contract, so `<name>_computed.py` computes the rows and `<name>.sql` selects
        {{ contract_column_casts() }}
    from it: the yml is the one place the columns and their types are written.
-#}
{% macro contract_column_casts() -%}
    {#- at parse time the yml (and so the contract) is not attached to the model yet -#}
    {%- if not execute -%}
        {{ return('*') }}
    {%- endif -%}
    {%- set columns = model['columns'].values() | list -%}
    {%- if columns | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            model['name'] ~ ": contract_column_casts() needs the model's columns declared with their data_type in its yml"
        ) }}
    {%- endif -%}
    {%- for column in columns -%}
        {%- if not column['data_type'] -%}
            {{ exceptions.raise_compiler_error(
                model['name'] ~ ": column " ~ column['name'] ~ " has no data_type in its yml (contract_column_casts)"
            ) }}
        {%- endif -%}
        cast({{ column['name'] }} as {{ column['data_type'] }}) as {{ column['name'] }}
        {%- if not loop.last %},
        {% endif -%}
    {%- endfor -%}
{%- endmacro %}
