{#-
    The checks of the raw files that do not depend on the engine, shared by check_raw_files (DuckDB)
    and spark__prepare_raw_files, so that a bad drop gets the same message on both.
-#}

{#- '' when exactly one file matched the raw table (see olist_raw_tables), else the problem
    (missing or ambiguous file). -#}
{% macro olist_file_match_problem(raw_table, data_dir, files) %}
    {%- set expected_columns = raw_table.columns | map(attribute='name') | list -%}
    {%- if files | length == 0 -%}
        {{ return(
            "missing file: expected " ~ data_dir ~ "/" ~ raw_table.name ~ ".csv (or .csv.gz), the Kaggle file "
            ~ "with columns " ~ (expected_columns | join(', ')) ~ ". Set OLIST_DATA_DIR to the folder of the Kaggle CSVs, or unset it to use the demo data."
        ) }}
    {%- elif files | length > 1 -%}
        {{ return(
            "ambiguous file: " ~ (files | join(' and ')) ~ " both match " ~ raw_table.name
            ~ ".csv*; keep only one of them."
        ) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{#- '' when the header holds every expected column, else the problem (empty file, missing
    columns). Extra columns are only logged: the sources never read them. -#}
{% macro olist_header_problem(file, expected_columns, actual) %}
    {%- if actual == ['column0'] -%}
        {{ return(
            "empty file: " ~ file ~ " holds no header and no rows; expected the Kaggle header "
            ~ (expected_columns | join(', ')) ~ " followed by data rows."
        ) }}
    {%- endif -%}
    {%- set extra = [] -%}
    {%- for column in actual if column not in expected_columns -%}
        {%- do extra.append(column) -%}
    {%- endfor -%}
    {%- if extra | length > 0 -%}
        {{ log("WARNING: " ~ file ~ " has extra column(s) " ~ (extra | join(', ')) ~ ": ignored.", info=true) }}
    {%- endif -%}
    {%- set missing = [] -%}
    {%- for expected in expected_columns if expected not in actual -%}
        {%- do missing.append(expected) -%}
    {%- endfor -%}
    {%- if missing | length > 0 -%}
        {{ return(
            "missing column(s) in " ~ file ~ ": " ~ (missing | join(', '))
            ~ "; expected the Kaggle header " ~ (expected_columns | join(', '))
            ~ "; found " ~ (actual | join(', '))
        ) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
