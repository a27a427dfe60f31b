{#-
    The raw Olist tables as declared once in models/staging/olist/_olist__sources.yml (source
    `olist`): file columns with their type, required flag and staged name, primary key, parents.
    Every macro that needs the raw schema reads it here, from the graph.

    `graph` is only populated at execution. At parse time, which only records the ref/source calls
    and never runs the SQL, olist_raw_tables() returns [], olist_raw_table() none and
    olist_raw_table_of() a stand-in without columns, so that the models render without branches.
    The refs a model needs are therefore written as refs (in the model or in
    olist_base_relations()) and checked here against the sources at execution.
-#}

{#- Every olist source table as a dict, in the order of the yml:
      name, identifier, schema, declared_in (the yml path),
      columns:     [{name (file header), type, required, staged_as (staged name, always set)}],
      primary_key: file column names;  key_columns: their staged names,
      parents:     [{table, columns (file names), key_columns (staged names)}]. -#}
{% macro olist_raw_tables() %}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set tables = [] -%}
    {%- for node in graph.sources.values() if node.source_name == 'olist' and node.package_name == project_name -%}
        {%- do tables.append(olist_raw_table_from_node(node)) -%}
    {%- endfor -%}
    {%- set names = tables | map(attribute='name') | list -%}
    {%- for table in tables -%}
        {%- for parent in table.parents -%}
            {%- if parent.table not in names -%}
                {{ exceptions.raise_compiler_error(table.declared_in ~ ": source olist, table " ~ table.name
                    ~ ": meta.parents names table '" ~ parent.table ~ "', which is not a table of source olist") }}
            {%- endif -%}
            {%- set parent_table = tables[names.index(parent.table)] -%}
            {%- if parent.columns | length != parent_table.primary_key | length -%}
                {{ exceptions.raise_compiler_error(table.declared_in ~ ": source olist, table " ~ table.name
                    ~ ": meta.parents columns " ~ parent.columns | join(', ') ~ " do not match the primary_key "
                    ~ parent_table.primary_key | join(', ') ~ " of " ~ parent.table) }}
            {%- endif -%}
            {%- do parent.update({'parent_key_columns': parent_table.key_columns}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}


{#- One table by its name (or identifier); none at parse time. -#}
{% macro olist_raw_table(name) %}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for table in olist_raw_tables() if table.name == name or table.identifier == name -%}
        {{ return(table) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error(
        "olist_raw_table: '" ~ name ~ "' is not a table of source olist (models/staging/olist/_olist__sources.yml)"
    ) }}
{% endmacro %}


{#- The raw table a model stages: the olist source upstream of `relation` (a ref), found through
    the models it depends on. -#}
{% macro olist_raw_table_of(relation) %}
    {%- if not execute -%}
        {{ return({'name': relation.identifier, 'identifier': relation.identifier, 'schema': none,
            'declared_in': none, 'columns': [], 'primary_key': [], 'key_columns': [], 'parents': []}) }}
    {%- endif -%}
    {%- set models = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('package_name', 'equalto', project_name) | list -%}
    {%- set start = models | selectattr('alias', 'equalto', relation.identifier) | list -%}
    {%- if start | length != 1 -%}
        {{ exceptions.raise_compiler_error("olist_raw_table_of: no model of this project builds " ~ relation) }}
    {%- endif -%}
    {%- set frontier = [start[0].unique_id] -%}
    {%- set found = [] -%}
    {#- a short walk up the DAG: base models read their source, staging models their base model -#}
    {%- for _ in range(5) -%}
        {%- if found | length == 0 -%}
            {%- set parents = [] -%}
            {%- for unique_id in frontier -%}
                {%- for parent_id in graph.nodes[unique_id].depends_on.nodes -%}
                    {%- if parent_id in graph.sources and graph.sources[parent_id].source_name == 'olist' -%}
                        {%- if graph.sources[parent_id].name not in found -%}
                            {%- do found.append(graph.sources[parent_id].name) -%}
                        {%- endif -%}
                    {%- elif parent_id in graph.nodes and graph.nodes[parent_id].resource_type == 'model' -%}
                        {%- do parents.append(parent_id) -%}
                    {%- endif -%}
                {%- endfor -%}
            {%- endfor -%}
            {%- do frontier.clear() -%}
            {%- do frontier.extend(parents) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if found | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            "olist_raw_table_of: " ~ start[0].name ~ " should stage exactly one table of source olist, found "
            ~ (found | join(', ') if found else 'none')
        ) }}
    {%- endif -%}
    {{ return(olist_raw_table(found[0])) }}
{% endmacro %}


{#- The raw tables of `relations` (refs), in the same order; fails when a raw table has none of
    them or more than one, so that a table added to the sources cannot be left out silently. -#}
{% macro olist_raw_tables_of(relations, caller_name) %}
    {%- set tables = [] -%}
    {%- for relation in relations -%}
        {%- do tables.append(olist_raw_table_of(relation)) -%}
    {%- endfor -%}
    {%- if not execute -%}
        {{ return(tables) }}
    {%- endif -%}
    {%- set staged = tables | map(attribute='name') | list -%}
    {%- for table in olist_raw_tables() -%}
        {%- if staged.count(table.name) != 1 -%}
            {{ exceptions.raise_compiler_error(
                caller_name ~ ": raw table " ~ table.name ~ " is staged by " ~ staged.count(table.name)
                ~ " of the models it reads; expected exactly one (see olist_base_relations)"
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}


{#- The base model of every raw table. dbt records refs at parse time, when the graph is empty,
    so they are listed here once; olist_raw_tables_of checks the list against the sources. -#}
{% macro olist_base_relations() %}
    {{ return([
        ref('base_olist__customers'),
        ref('base_olist__orders'),
        ref('base_olist__order_items'),
        ref('base_olist__order_payments'),
        ref('base_olist__order_reviews'),
        ref('base_olist__products'),
        ref('base_olist__sellers'),
        ref('base_olist__category_translations'),
    ]) }}
{% endmacro %}


{#- A row's key as one text expression (e.g. order_id || '/' || order_item_id), from staged names. -#}
{% macro olist_record_key(table, relation_alias=none) -%}
    {%- set parts = [] if table.key_columns else ['null'] -%}
    {%- for column in table.key_columns -%}
        {%- do parts.append((relation_alias ~ '.' if relation_alias else '') ~ column) -%}
    {%- endfor -%}
    {{ parts | join(" || '/' || ") }}
{%- endmacro %}


{#- One table dict from its source node, with a message naming the yml file when its meta is wrong. -#}
{% macro olist_raw_table_from_node(node) %}
    {%- set olist_raw_types = ['text', 'integer', 'double', 'money', 'timestamp', 'date'] -%}
    {%- set where = node.original_file_path ~ ": source olist, table " ~ node.name -%}
    {%- set meta = node.meta or {} -%}
    {%- set columns = [] -%}
    {%- set staged_names = {} -%}
    {%- for column in node.columns.values() -%}
        {%- set column_meta = column.meta or {} -%}
        {%- set column_where = where ~ ", column " ~ column.name -%}
        {%- if column_meta.get('type') not in olist_raw_types -%}
            {{ exceptions.raise_compiler_error(column_where ~ ": meta.type must be one of "
                ~ olist_raw_types | join(', ') ~ ", got " ~ (column_meta.get('type') | string)) }}
        {%- endif -%}
        {%- if column_meta.get('required') not in [true, false] -%}
            {{ exceptions.raise_compiler_error(column_where ~ ": meta.required must be true or false, got "
                ~ (column_meta.get('required') | string)) }}
        {%- endif -%}
        {%- do staged_names.update({column.name: column_meta.get('staged_as') or column.name}) -%}
        {%- do columns.append({
            'name': column.name,
            'type': column_meta.type,
            'required': column_meta.required,
            'staged_as': staged_names[column.name],
        }) -%}
    {%- endfor -%}
    {%- set primary_key = meta.get('primary_key') or [] -%}
    {%- if primary_key is string or primary_key | length == 0 -%}
        {{ exceptions.raise_compiler_error(where ~ ": meta.primary_key must be a list of its columns") }}
    {%- endif -%}
    {%- set parents = [] -%}
    {%- for parent in meta.get('parents') or [] -%}
        {%- if parent is not mapping or not parent.get('table') or parent.get('columns') is string or not parent.get('columns') -%}
            {{ exceptions.raise_compiler_error(where ~ ": meta.parents must be a list of {table, columns}") }}
        {%- endif -%}
        {%- do parents.append({'table': parent.table, 'columns': parent.columns}) -%}
    {%- endfor -%}
    {%- set referenced = primary_key | list -%}
    {%- for parent in parents -%}
        {%- do referenced.extend(parent.columns) -%}
    {%- endfor -%}
    {%- for name in referenced if name not in staged_names -%}
        {{ exceptions.raise_compiler_error(where ~ ": meta names column '" ~ name ~ "', which is not one of its columns") }}
    {%- endfor -%}
    {%- set key_columns = [] -%}
    {%- for name in primary_key -%}
        {%- do key_columns.append(staged_names[name]) -%}
    {%- endfor -%}
    {%- for parent in parents -%}
        {%- set parent_columns = [] -%}
        {%- for name in parent.columns -%}
            {%- do parent_columns.append(staged_names[name]) -%}
        {%- endfor -%}
        {%- do parent.update({'key_columns': parent_columns}) -%}
    {%- endfor -%}
    {{ return({
        'name': node.name,
        'identifier': node.identifier,
        'database': node.database,
        'schema': node.schema,
        'declared_in': node.original_file_path,
        'columns': columns,
        'primary_key': primary_key,
        'key_columns': key_columns,
        'parents': parents,
    }) }}
{% endmacro %}
