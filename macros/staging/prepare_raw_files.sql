{#-
    on-run-start: make the raw Olist files readable by the sources, on any engine.

    DuckDB (default): check_raw_files checks the files (missing / ambiguous files, missing columns,
    bad bytes, malformed rows) and loads each one, read once, into its source table olist.<file>.
    Spark: registers each file as an external CSV table `olist.<file name>` (what `source('olist',
    ...)` renders to on Spark), every column read as text like DuckDB's all_varchar, quoted line
    breaks kept (multiLine) and `.csv.gz` decompressed by Spark; with the same checks and messages.
-#}
{% macro prepare_raw_files() %}
    {{ return(adapter.dispatch('prepare_raw_files', 'olist_segmentation')()) }}
{% endmacro %}


{% macro default__prepare_raw_files() %}
    {{ return(check_raw_files()) }}
{% endmacro %}


{% macro spark__prepare_raw_files() %}
    {%- if execute and flags.WHICH in ['run', 'build', 'test', 'seed', 'snapshot', 'compile', 'show'] -%}
        {%- set data_dir = var('olist_data_dir') or env_var('OLIST_DATA_DIR', 'demo_data') -%}
        {%- set problems = [] -%}
        {#- one listing of the folder (binaryFile reads no content when only the path is selected) -#}
        {%- do run_query(
            "create or replace temporary view olist_raw_file_listing using binaryFile options (path '"
            ~ data_dir ~ "', pathGlobFilter '*.csv*')"
        ) -%}
        {%- set listed = [] -%}
        {%- for path in run_query("select path from olist_raw_file_listing order by path").columns[0].values() -%}
            {%- do listed.append(path[5:] if path.startswith('file:') else path) -%}
        {%- endfor -%}
        {%- set schemas = [] -%}
        {%- for raw_table in olist_raw_tables() -%}
            {%- set files = [] -%}
            {%- for path in listed if path.split('/')[-1].startswith(raw_table.name ~ '.csv') -%}
                {%- do files.append(path) -%}
            {%- endfor -%}
            {%- set file_problem = olist_file_match_problem(raw_table, data_dir, files) -%}
            {%- if file_problem -%}
                {%- do problems.append(file_problem) -%}
            {%- else -%}
                {%- set relation = api.Relation.create(schema=raw_table.schema, identifier=raw_table.identifier) -%}
                {%- if raw_table.schema not in schemas -%}
                    {%- do run_query("create schema if not exists " ~ raw_table.schema) -%}
                    {%- do schemas.append(raw_table.schema) -%}
                {%- endif -%}
                {#- an external table: dropping it never deletes the file -#}
                {%- do run_query("drop table if exists " ~ relation) -%}
                {%- do run_query(
                    "create table " ~ relation ~ " using csv options (path '" ~ files[0]
                    ~ "', header 'true', multiLine 'true', quote '\"', escape '\"', mode 'PERMISSIVE')"
                ) -%}
                {%- set actual = run_query("describe table " ~ relation).columns[0].values() | list -%}
                {%- set header_problem = olist_header_problem(files[0], raw_table.columns | map(attribute='name') | list, actual) -%}
                {%- if header_problem -%}
                    {%- do problems.append(header_problem) -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if problems | length > 0 -%}
            {{ exceptions.raise_compiler_error(
                "Raw Olist files are not usable (folder: " ~ data_dir ~ "):\n  - " ~ (problems | join("\n  - "))
            ) }}
        {%- endif -%}
    {%- endif -%}
    select 1 as raw_files_registered
{% endmacro %}
