{#-
    A build of the atomic build (olist_segmentation.build) that retrains (its vars force one, a
    reselect or an import) rebuilds almost every table, so it builds into a new, empty DuckDB file
    rather than a copy of the warehouse, and never copies a table it is about to rebuild (at 100x
    Olist the staging, order, customer and history tables are most of the file). An ordinary night
    copies the file instead. What must outlive a retrain build is brought over from the published
    warehouse (env OLIST_PREVIOUS_DUCKDB_PATH, attached read-only), just before it is needed:

    - on-run-start, mode 'needed': the tables this run reads or appends to without building them
      from scratch: incremental models and snapshots it selects (the registry, the monitoring rows,
      the customer snapshot keep their history), the models it selects that return their previous
      rows when nothing changed (meta.reads_its_previous_rows), the parents of what it selects
      that it does not build, and
      the tables its models read as the previous build left them (`previous_build_tables` in their
      meta, read through previous_build_table);
    - on-run-end of the build's last run, mode 'rest': every other table or view of the published
      warehouse that no run rebuilt, so that nothing is lost.

    A table is copied with its DDL (types, NOT NULL constraints of contracts) and its rows. Without
    OLIST_PREVIOUS_DUCKDB_PATH (a plain `dbt build` into the warehouse itself, or a first build)
    nothing happens. On Spark, a no-op.
-#}
{% macro keep_previous_build(mode) %}
    {{ return(adapter.dispatch('keep_previous_build', 'olist_segmentation')(mode)) }}
{% endmacro %}


{% macro default__keep_previous_build(mode) %}
    select 1 as previous_build_kept
{% endmacro %}


{% macro duckdb__keep_previous_build(mode) %}
    {%- set previous = env_var('OLIST_PREVIOUS_DUCKDB_PATH', '') if execute else '' -%}
    {%- set last_run = env_var('OLIST_PREVIOUS_KEEP_REST', '') == 'true' if execute else false -%}
    {%- if previous and flags.WHICH in ['run', 'build', 'snapshot', 'seed'] and (mode == 'needed' or last_run) -%}
        {%- set started = modules.datetime.datetime.now() -%}
        {%- do run_query("attach if not exists '" ~ (previous | replace("'", "''")) ~ "' as olist_previous (read_only)") -%}
        {%- set current = run_query("select current_database()").columns[0].values()[0] -%}
        {%- set listed = run_query(
            "select database_name, schema_name, table_name, 'table' as kind, sql from duckdb_tables()"
            ~ " where database_name in ('olist_previous', '" ~ current ~ "') and not internal and not temporary"
            ~ " union all select database_name, schema_name, view_name, 'view', sql from duckdb_views()"
            ~ " where database_name in ('olist_previous', '" ~ current ~ "') and not internal and not temporary"
        ) -%}
        {%- set present = [] -%}
        {%- set previous_relations = {} -%}
        {%- for row in listed.rows -%}
            {%- set key = (row[1] ~ '.' ~ row[2]) | lower -%}
            {%- if row[0] == 'olist_previous' -%}
                {%- do previous_relations.update({key: row}) -%}
            {%- else -%}
                {%- do present.append(key) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set wanted = previous_relations.keys() | list if mode == 'rest' else olist_relations_needed_by_run() -%}
        {%- set kept = [] -%}
        {%- for key in wanted | unique | sort if key in previous_relations and key not in present -%}
            {%- set row = previous_relations[key] -%}
            {%- if row[1] != 'olist' -%}  {#- raw tables are loaded by each run, never kept -#}
                {%- do run_query("create schema if not exists \"" ~ row[1] ~ "\"") -%}
                {%- do run_query(row[4]) -%}
                {%- if row[3] == 'table' -%}
                    {%- do run_query("insert into \"" ~ row[1] ~ "\".\"" ~ row[2] ~ "\" select * from olist_previous.\"" ~ row[1] ~ "\".\"" ~ row[2] ~ "\"") -%}
                {%- endif -%}
                {%- do adapter.cache_added(api.Relation.create(database=current, schema=row[1], identifier=row[2], type=row[3])) -%}
                {%- do kept.append(key) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do run_query("detach olist_previous") -%}
        {%- set seconds = (modules.datetime.datetime.now() - started).total_seconds() -%}
        {{ log(
            "Kept from the previous build (" ~ mode ~ ", " ~ '%.1f' | format(seconds) ~ " s): "
            ~ kept | length ~ " relation(s)" ~ ((": " ~ kept | join(', ')) if kept else ""),
            info=true
        ) }}
    {%- endif -%}
    select 1 as previous_build_kept
{% endmacro %}


{#-
    schema.identifier (lower case) of every relation this run needs as the previous build left it:
    incremental models and snapshots it selects, and the models it selects that return their
    previous rows when nothing changed (meta.reads_its_previous_rows: the search, the algorithm
    comparison, the study); parents of its selected nodes (tests included) that it does not select
    (through ephemeral parents); and the tables its selected models declare in
    meta.previous_build_tables (schema marts).
-#}
{% macro olist_relations_needed_by_run() %}
    {%- set needed = [] -%}
    {%- set pending = [] -%}
    {%- for unique_id in selected_resources if unique_id in graph.nodes -%}
        {%- set node = graph.nodes[unique_id] -%}
        {%- set meta = node.config.meta or {} -%}
        {%- if node.resource_type == 'snapshot' or node.config.materialized == 'incremental' or meta.get('reads_its_previous_rows') -%}
            {%- do needed.append((node.schema ~ '.' ~ (node.alias or node.name)) | lower) -%}
        {%- endif -%}
        {%- for identifier in meta.get('previous_build_tables', []) -%}
            {%- do needed.append(('marts.' ~ identifier) | lower) -%}
        {%- endfor -%}
        {%- do pending.extend(node.depends_on.nodes) -%}
    {%- endfor -%}
    {#- a breadth-first walk: ephemeral parents are inlined, so their own parents are read -#}
    {%- for parent_id in pending if parent_id not in selected_resources and parent_id in graph.nodes -%}
        {%- set parent = graph.nodes[parent_id] -%}
        {%- if parent.config.materialized == 'ephemeral' -%}
            {%- do pending.extend(parent.depends_on.nodes) -%}
        {%- elif parent.resource_type in ['model', 'snapshot', 'seed'] -%}
            {%- do needed.append((parent.schema ~ '.' ~ (parent.alias or parent.name)) | lower) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(needed) }}
{% endmacro %}
