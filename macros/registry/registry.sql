{#- The model registry lives in incremental marts that survive every build (the atomic build copies
    the warehouse, and these models ignore --full-refresh). Models that run before the registry is
    updated read its state as of the previous build through these macros: a table that does not
    exist yet (the first build on an empty warehouse) reads as empty. -#}

{#- The relation marts.<identifier> as the previous build left it, or none. -#}
{% macro previous_build_table(identifier) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(adapter.get_relation(database=target.database, schema='marts', identifier=identifier)) }}
{%- endmacro %}


{#- Columns of the model table (segment_centroids and the registry's segment_model_parameters). -#}
{% macro segment_model_table_columns() -%}
    {{ return([
        ('model_version', dbt.type_string()),
        ('segment_id', 'integer'),
        ('segment_name', dbt.type_string()),
        ('feature', dbt.type_string()),
        ('feature_order', 'integer'),
        ('centroid_scaled', 'double'),
        ('centroid_original', 'double'),
        ('customer_count', 'bigint'),
        ('segment_share', 'double'),
        ('k', 'integer'),
        ('seed', 'integer'),
        ('feature_set', dbt.type_string()),
        ('log1p', 'boolean'),
        ('impute_value', 'double'),
        ('center', 'double'),
        ('scale', 'double'),
        ('fitted_customer_count', 'bigint'),
        ('algorithm', dbt.type_string()),
        ('reference_date', 'date'),
    ]) }}
{%- endmacro %}


{#- `select` list casting a relation's columns to the model table's types. -#}
{% macro select_segment_model_columns(prefix='') -%}
    {%- for name, type in segment_model_table_columns() %}
        cast({{ prefix }}{{ name }} as {{ type }}) as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- An empty relation with the model table's columns (no previous champion). -#}
{% macro empty_segment_model_table() -%}
    select
    {%- for name, type in segment_model_table_columns() %}
        cast(null as {{ type }}) as {{ name }}{{ "," if not loop.last }}
    {%- endfor %}
    where false
{%- endmacro %}


{#- Names of the features of a model table (distinct `feature`), read when the node runs. -#}
{% macro model_features(model_relation) -%}
    {#- at parse time, and when a linter compiles before any build, there is nothing to read -#}
    {%- if not execute or load_relation(model_relation) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set rows = run_query("select distinct feature from " ~ model_relation ~ " order by feature") -%}
    {{ return(rows.columns[0].values() | list) }}
{%- endmacro %}


{#- (customer_unique_id, feature, value) rows of the given numeric columns of a customers relation. -#}
{% macro customer_feature_values(customers, features) -%}
    {%- if features | length == 0 %}
    select
        customer_unique_id,
        cast(null as {{ dbt.type_string() }}) as feature,
        cast(null as double) as feature_value
    from {{ customers }}
    where false
    {%- endif %}
    {%- for feature in features %}
    select
        customer_unique_id,
        '{{ feature }}' as feature,
        cast({{ adapter.quote(feature) }} as double) as feature_value
    from {{ customers }}
    {{ "union all" if not loop.last }}
    {%- endfor %}
{%- endmacro %}


{#- How many model versions a model table holds, read when the node runs (0 before it exists). -#}
{% macro model_version_count(model_relation) -%}
    {%- if not execute or load_relation(model_relation) is none -%}
        {{ return(0) }}
    {%- endif -%}
    {%- set rows = run_query("select count(distinct model_version) from " ~ model_relation) -%}
    {{ return(rows.columns[0].values()[0]) }}
{%- endmacro %}
