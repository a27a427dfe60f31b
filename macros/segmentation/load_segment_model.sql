{#-
    run-operation: load a segment model from a Parquet file as the champion table that
    customer_segments reads (the relation of ref('segment_centroids')), on any engine.

        dbt run-operation load_segment_model --args '{file: /path/segment_centroids.parquet}' [--target spark]

    For engines that cannot run the Python models which fit and promote a model (Spark): a model
    fitted on DuckDB (a Parquet copy of marts.segment_centroids) is loaded, then
    `dbt build --select customer_segments` scores every customer with it in SQL. Every column of the
    segment_centroids contract is read and cast to its contract type; a missing column fails with
    one line naming the file and the columns.
-#}
{% macro load_segment_model(file) %}
    {%- set node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', 'segment_centroids') | first -%}
    {%- set relation = ref('segment_centroids') -%}
    {%- set source_sql = segment_model_file_sql(file) -%}
    {%- set present = run_query("select * from " ~ source_sql ~ " as model_file limit 0").column_names
        | map('lower') | list -%}
    {%- set missing = [] -%}
    {%- for name in node.columns if name | lower not in present -%}
        {%- do missing.append(name) -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "segment model file " ~ file ~ " is missing column(s) of segment_centroids: " ~ missing | join(", ")) }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for name, column in node.columns.items() -%}
        {%- set data_type = dbt.type_string() if column.data_type | lower in ['varchar', 'string', 'text']
            else column.data_type -%}
        {%- do columns.append("cast(" ~ name ~ " as " ~ data_type ~ ") as " ~ name) -%}
    {%- endfor -%}
    {%- do adapter.create_schema(relation) -%}
    {%- set existing = adapter.get_relation(relation.database, relation.schema, relation.identifier) -%}
    {%- if existing is not none -%}
        {%- do adapter.drop_relation(existing) -%}
    {%- endif -%}
    {%- do run_query(get_create_table_as_sql(false, relation,
        "select " ~ columns | join(", ") ~ " from " ~ source_sql ~ " as model_file")) -%}
    {%- do adapter.commit() -%}
    {%- set loaded = run_query("select count(*), count(distinct model_version) from " ~ relation).rows[0] -%}
    {{ log("loaded segment model " ~ file ~ " into " ~ relation ~ ": " ~ loaded[0] ~ " rows, "
        ~ loaded[1] ~ " model version(s)", info=true) }}
{% endmacro %}


{#- A Parquet file as a relation in a from clause. -#}
{% macro segment_model_file_sql(file) -%}
    {{ return(adapter.dispatch('segment_model_file_sql', 'olist_segmentation')(file)) }}
{%- endmacro %}
{% macro default__segment_model_file_sql(file) -%}
    read_parquet('{{ file }}')
{%- endmacro %}
{% macro spark__segment_model_file_sql(file) -%}
    parquet.`{{ file }}`
{%- endmacro %}
