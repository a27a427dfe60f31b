{#-
    on-run-start: checks that every Olist raw file exists once (.csv or .csv.gz) and holds the
    columns its source declares (olist_raw_tables: the header declared in _olist__sources.yml), so
    that a bad drop fails in one clear message naming the file and what was expected, instead of a
    binder error deep inside a staging model.

    When the run builds a model that reads a raw file (a base_olist__ model), it loads every
    file, read to the end once, into the source's table (schema olist, every column as text) and
    checks the header on the loaded table; other commands only read the headers. The base models
    read those tables, never the files again, and on-run-end drops them (the base models keep
    every raw row). While loading:
      - a truncated or corrupt file (e.g. an interrupted .csv.gz download) fails here, naming the file;
      - bytes that are not UTF-8 or a malformed CSV row fail here, naming the file, the data row
        (counted from 1 after the header, like source_row in stg_olist__rejects), the column and
        what was expected, instead of DuckDB's reader error inside a staging model;
      - a file with a header but no data rows fails: empty marts would replace good ones silently.
    DuckDB's own error text is not available to a macro (Jinja cannot catch), so a read that raises
    is reported through try_or_compiler_error with a message that says what to check.
-#}
{% macro check_raw_files() %}
    {#- a run or build that reads no raw file (e.g. the build's second run) has nothing to check -#}
    {%- set reads_raw_files = olist_run_reads_raw_files() or flags.WHICH not in ['run', 'build'] -%}
    {%- if execute and reads_raw_files and flags.WHICH in ['run', 'build', 'test', 'seed', 'snapshot', 'compile', 'show'] -%}
        {%- set started = modules.datetime.datetime.now() -%}
        {%- set data_dir = var('olist_data_dir') or env_var('OLIST_DATA_DIR', 'demo_data') -%}
        {%- set problems = [] -%}
        {%- set readable = [] -%}
        {%- set raw_tables = olist_raw_tables() -%}
        {%- set files_by_table = olist_raw_files(raw_tables, data_dir) -%}
        {%- for raw_table in raw_tables -%}
            {%- set files = files_by_table.get(raw_table.name, []) -%}
            {%- set file_problem = olist_file_match_problem(raw_table, data_dir, files) -%}
            {%- if file_problem -%}
                {%- do problems.append(file_problem) -%}
            {%- else -%}
                {%- do readable.append((files[0], raw_table.columns | map(attribute='name') | list, raw_table)) -%}
            {%- endif -%}
        {%- endfor -%}
        {#- a build reads each header from the file it loads; other commands only read the headers -#}
        {%- set loads = problems | length == 0 and flags.WHICH in ['run', 'build'] -%}
        {%- if not loads -%}
            {%- for file, expected_columns, raw_table in readable -%}
                {%- set header = try_or_compiler_error(
                    olist_unreadable_file_message(file, expected_columns),
                    run_query,
                    "select column_name from (describe select * from " ~ olist_raw_csv(file, 'ignore_errors = true') ~ ")"
                ) -%}
                {%- set header_problem = olist_header_problem(file, expected_columns, header.columns[0].values() | list) -%}
                {%- if header_problem -%}
                    {%- do problems.append(header_problem) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- else -%}
            {%- set total_rows = [] -%}
            {%- for file, expected_columns, raw_table in readable -%}
                {%- set content_problem = olist_load_raw_file(file, expected_columns, raw_table, total_rows) -%}
                {%- if content_problem -%}
                    {%- do problems.append(content_problem) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- do run_query("drop table if exists temp.main.olist_raw_read_errors; drop table if exists temp.main.olist_raw_read_scans") -%}
            {%- if problems | length == 0 -%}
                {%- set seconds = (modules.datetime.datetime.now() - started).total_seconds() -%}
                {{ log(
                    "Raw files checked: " ~ readable | length ~ " files, " ~ total_rows | sum ~ " data rows loaded, read to the end once, "
                    ~ "UTF-8 and well-formed (" ~ '%.1f' | format(seconds) ~ " s)",
                    info=true
                ) }}
            {%- endif -%}
        {%- endif -%}
        {%- if problems | length > 0 -%}
            {{ exceptions.raise_compiler_error(
                "Raw Olist files are not usable (folder: " ~ data_dir ~ "):\n  - " ~ (problems | join("\n  - "))
            ) }}
        {%- endif -%}
    {%- endif -%}
    select 1 as raw_files_checked
{% endmacro %}


{#-
    read_csv of one raw file with the options of the olist source (every column as text). The header
    check adds ignore_errors so that a bad byte in the sniffed sample is reported by the full read
    below, with its row, rather than as an unreadable file.
-#}
{% macro olist_raw_csv(file, options='') -%}
    read_csv('{{ file | replace("'", "''") }}', all_varchar = true, header = true, delim = ',', quote = '"', escape = '"'
    {%- if options %}, {{ options }}{% endif %})
{%- endmacro %}


{% macro olist_unreadable_file_message(file, expected_columns) -%}
    {%- if file.endswith('.gz') -%}
        {%- set why = "the file is truncated or corrupt: its gzip stream could not be decompressed to the end "
            ~ "(an interrupted download or copy?). Check it with `gzip -t " ~ file ~ "`, then download or compress it again" -%}
    {%- else -%}
        {%- set why = "the file is truncated or corrupt, or not a CSV file" -%}
    {%- endif -%}
    {{- "Raw Olist files are not usable:\n  - unreadable file: " ~ file ~ ": DuckDB could not read it; " ~ why
        ~ ". Expected a complete UTF-8 CSV (optionally gzipped) with the Kaggle header "
        ~ (expected_columns | join(', ')) ~ "." -}}
{%- endmacro %}


{#- Whether this run builds a model that reads a raw file (the base models): only then are the
    files loaded. -#}
{% macro olist_run_reads_raw_files() %}
    {%- for unique_id in selected_resources if unique_id.startswith('model.' ~ project_name ~ '.base_olist__') -%}
        {{ return(true) }}
    {%- endfor -%}
    {{ return(false) }}
{% endmacro %}


{#- The relation a raw table's source renders to (where olist_load_raw_file loads the file). -#}
{% macro olist_raw_relation(raw_table) %}
    {{ return(api.Relation.create(database=raw_table.database, schema=raw_table.schema, identifier=raw_table.identifier)) }}
{% endmacro %}


{#- The files matching each raw table's name (`<name>.csv*`), listed by one query: {name: [file, ...]}. -#}
{% macro olist_raw_files(raw_tables, data_dir) %}
    {%- set listings = [] -%}
    {%- for raw_table in raw_tables -%}
        {%- set pattern = data_dir ~ '/' ~ raw_table.name ~ '.csv*' -%}
        {%- do listings.append(
            "select '" ~ raw_table.name ~ "' as raw_table, file from glob('" ~ (pattern | replace("'", "''")) ~ "')"
        ) -%}
    {%- endfor -%}
    {%- set files_by_table = {} -%}
    {%- if listings -%}
        {%- for row in run_query(listings | join(' union all ') ~ " order by raw_table, file").rows -%}
            {%- do files_by_table.setdefault(row['raw_table'], []).append(row['file']) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(files_by_table) }}
{% endmacro %}


{#-
    Loads one file, read to the end once, into its source's table, with DuckDB's rejects tables
    switched on, so that bad bytes or a malformed row are reported with their position instead of
    raising (storing every value as text makes DuckDB decode it: the UTF-8 check). The header is
    checked on the loaded table's columns. One statement list per file: the load, then its row
    count, header and read errors in one result. Returns a problem text, or ''. Appends the
    file's data-row count to `row_counts`.
-#}
{% macro olist_load_raw_file(file, expected_columns, raw_table, row_counts) -%}
    {%- set relation = olist_raw_relation(raw_table) -%}
    {%- set loaded = try_or_compiler_error(
        olist_unreadable_file_message(file, expected_columns),
        run_query,
        "create schema if not exists " ~ relation.without_identifier() ~ ";"
        ~ " drop table if exists temp.main.olist_raw_read_errors; drop table if exists temp.main.olist_raw_read_scans;"
        ~ " create or replace table " ~ relation ~ " as select * from " ~ olist_raw_csv(
            file,
            "ignore_errors = true, store_rejects = true, rejects_table = 'olist_raw_read_errors', rejects_scan = 'olist_raw_read_scans'"
        ) ~ ";"
        ~ " select"
        ~ " (select count(*) from " ~ relation ~ ") as data_rows,"
        ~ " (select to_json(list(column_name order by column_index)) from duckdb_columns()"
        ~ "  where database_name = " ~ ("'" ~ relation.database ~ "'" if relation.database else "current_database()")
        ~ "  and schema_name = '" ~ relation.schema ~ "' and table_name = '" ~ relation.identifier ~ "') as header_columns,"
        ~ " errors.error_type, errors.data_row, errors.line_byte_position, errors.column_name, errors.csv_line, errors.error_count"
        ~ " from (select 1) as one left join ("
        ~ "  select error_type, line - 1 as data_row, line_byte_position, column_name, line, column_idx,"
        ~ "  left(replace(replace(csv_line, chr(13), ''), chr(10), ' '), 300) as csv_line,"
        ~ "  count(*) over (partition by error_type) as error_count"
        ~ "  from temp.main.olist_raw_read_errors"
        ~ " ) as errors on true"
        ~ " order by errors.line, errors.column_idx"
    ) -%}
    {%- set data_rows = loaded.rows[0]['data_rows'] -%}
    {%- do row_counts.append(data_rows) -%}
    {%- set header_problem = olist_header_problem(file, expected_columns, fromjson(loaded.rows[0]['header_columns'])) -%}
    {%- if header_problem -%}
        {{- return(header_problem) -}}
    {%- endif -%}
    {%- set errors = [] -%}
    {%- for row in loaded.rows if row['error_type'] is not none -%}
        {%- do errors.append(row) -%}
    {%- endfor -%}
    {%- set problem = [] -%}
    {%- if errors | length > 0 -%}
        {%- set first = errors[0] -%}
        {%- set where = "data row " ~ first['data_row'] ~ " (byte " ~ first['line_byte_position'] ~ ")"
            ~ ((", column " ~ first['column_name']) if first['column_name'] else "") -%}
        {%- set other_rows = [] -%}
        {%- for row in errors[1:6] -%}
            {%- do other_rows.append(row['data_row'] | string) -%}
        {%- endfor -%}
        {%- set others = (" Other rows: " ~ (other_rows | join(', ')) ~ (", ..." if errors | length > 6 else "") ~ ".") if other_rows else "" -%}
        {%- if first['error_type'] == 'INVALID ENCODING' -%}
            {%- do problem.append(
                "not UTF-8 text: " ~ file ~ " holds " ~ first['error_count'] ~ " row(s) with bytes that are not UTF-8, first at "
                ~ where ~ ": " ~ first['csv_line'] ~ " ('?' marks the bad bytes). Expected UTF-8 text like the Kaggle files; "
                ~ "a file saved as Latin-1/Windows-1252 can be converted with `iconv -f latin1 -t utf-8`." ~ others
            ) -%}
        {%- else -%}
            {%- do problem.append(
                "malformed CSV: " ~ file ~ " holds " ~ errors | length ~ " row(s) DuckDB cannot parse, first at "
                ~ where ~ " (" ~ first['error_type'] | lower ~ "): " ~ first['csv_line'] ~ ". Expected "
                ~ expected_columns | length ~ " comma-separated values per row, quoted with \" when they hold commas or line breaks." ~ others
            ) -%}
        {%- endif -%}
    {%- elif data_rows == 0 -%}
        {%- do problem.append(
            "no data rows: " ~ file ~ " holds only its header; expected the Kaggle rows under it "
            ~ "(an interrupted export?). The build stops rather than replace the marts with empty ones."
        ) -%}
    {%- endif -%}
    {{- return(problem[0] if problem else '') -}}
{%- endmacro %}


{#- on-run-end: drops the raw tables this run loaded (the base models keep every raw row), so that
    the warehouse does not carry a second copy of the raw files. -#}
{% macro drop_loaded_raw_files() %}
    {{ return(adapter.dispatch('drop_loaded_raw_files', 'olist_segmentation')()) }}
{% endmacro %}


{% macro default__drop_loaded_raw_files() %}
    {%- if execute and flags.WHICH in ['run', 'build'] and olist_run_reads_raw_files() -%}
        {%- for raw_table in olist_raw_tables() -%}
            {%- do run_query("drop table if exists " ~ olist_raw_relation(raw_table)) -%}
        {%- endfor -%}
    {%- endif -%}
    select 1 as raw_files_dropped
{% endmacro %}


{#- Spark: the raw tables are external tables over the files; they stay registered. -#}
{% macro spark__drop_loaded_raw_files() %}
    select 1 as raw_files_dropped
{% endmacro %}
