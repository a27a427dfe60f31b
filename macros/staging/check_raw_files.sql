{#-
    on-run-start: checks that every Olist raw file exists once (.csv or .csv.gz) and holds the
    columns its source declares, so that a bad drop fails in one clear message naming the file and
    what was expected, instead of a binder error deep inside a staging model.
-#}
{% macro check_raw_files() %}
    {%- if execute and flags.WHICH in ['run', 'build', 'test', 'seed', 'snapshot', 'compile', 'show'] -%}
        {%- set data_dir = var('olist_data_dir') or env_var('OLIST_DATA_DIR', 'demo_data') -%}
        {%- set problems = [] -%}
        {%- for source_node in graph.sources.values() if source_node.source_name == 'olist' -%}
            {%- set pattern = data_dir ~ '/' ~ source_node.name ~ '.csv*' -%}
            {%- set found = run_query("select file from glob('" ~ pattern ~ "') order by file") -%}
            {%- set files = found.columns[0].values() -%}
            {%- if files | length == 0 -%}
                {%- do problems.append(
                    "missing file: expected " ~ data_dir ~ "/" ~ source_node.name ~ ".csv (or .csv.gz), the Kaggle file "
                    ~ "with columns " ~ (source_node.columns.keys() | join(', ')) ~ ". Set OLIST_DATA_DIR to the folder of the Kaggle CSVs, or unset it to use the demo data."
                ) -%}
            {%- elif files | length > 1 -%}
                {%- do problems.append(
                    "ambiguous file: " ~ (files | join(' and ')) ~ " both match " ~ source_node.name
                    ~ ".csv*; keep only one of them."
                ) -%}
            {%- else -%}
                {%- set header = run_query(
                    "select column_name from (describe select * from read_csv('" ~ files[0]
                    ~ "', all_varchar = true, header = true, delim = ',', quote = '\"', escape = '\"'))"
                ) -%}
                {%- set actual = header.columns[0].values() | list -%}
                {%- set missing = [] -%}
                {%- for expected in source_node.columns.keys() if expected not in actual -%}
                    {%- do missing.append(expected) -%}
                {%- endfor -%}
                {%- set extra = [] -%}
                {%- for column in actual if column not in source_node.columns.keys() -%}
                    {%- do extra.append(column) -%}
                {%- endfor -%}
                {%- if missing | length > 0 -%}
                    {%- do problems.append(
                        "missing column(s) in " ~ files[0] ~ ": " ~ (missing | join(', '))
                        ~ "; expected the Kaggle header " ~ (source_node.columns.keys() | join(', '))
                        ~ "; found " ~ (actual | join(', '))
                    ) -%}
                {%- endif -%}
                {%- if extra | length > 0 -%}
                    {{ log("WARNING: " ~ files[0] ~ " has extra column(s) " ~ (extra | join(', ')) ~ ": ignored.", info=true) }}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if problems | length > 0 -%}
            {{ exceptions.raise_compiler_error(
                "Raw Olist files are not usable (folder: " ~ data_dir ~ "):\n  - " ~ (problems | join("\n  - "))
            ) }}
        {%- endif -%}
    {%- endif -%}
    select 1 as raw_files_checked
{% endmacro %}
