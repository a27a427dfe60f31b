{#- The model registry lives in incremental marts that survive every build (the atomic build keeps
    them, and these models ignore --full-refresh). Models that run before the registry is
    updated read its state as of the previous build through these macros: a table that does not
    exist yet (the first build on an empty warehouse) reads as empty. -#}

{#- The relation marts.<identifier> as the previous build left it, or none. The calling model
    declares it in meta.previous_build_tables: the atomic build brings exactly those tables over
    from the published warehouse before the run (macros/atomic_build/keep_previous_build.sql). -#}
{% macro previous_build_table(identifier) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if identifier not in (model.config.meta or {}).get('previous_build_tables', []) -%}
        {{ exceptions.raise_compiler_error(
            model.name ~ " reads marts." ~ identifier ~ " as the previous build left it: declare it in the model's "
            ~ "config meta.previous_build_tables, so that the atomic build keeps it for this run"
        ) }}
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


{#- What is wrong with the champion of the registry as the previous build left it, as one line
    naming the table, or none: a registry edited by hand into a state no build leaves. Checked in
    this order, the first problem found is returned: a status other than champion/retired, a model
    listed twice, two champions or none, a champion without parameters, with fewer segments than
    its k, without exactly one row per (segment, feature), with a missing value its scoring needs,
    or reading a feature that `customers` (customer_rfm) lacks. None at parse time, on a first
    build (no registry yet) and when everything is fine. -#}
{% macro registry_champion_problem(registry, parameters, customers) -%}
    {%- if not execute or registry is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set fix = "or import the model again (make import-model FILE=...)" -%}
    {%- if parameters is none -%}
        {%- set champions = run_query("select string_agg(model_version, ', ' order by model_version) from "
            ~ registry ~ " where status = 'champion'").columns[0].values()[0] -%}
        {%- if champions -%}
            {{ return("marts.segment_model_parameters does not exist, so the champion " ~ champions
                ~ " of marts.segment_models has no parameters: restore the table from a backup " ~ fix) }}
        {%- endif -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set customer_relation = load_relation(customers) -%}
    {%- set customer_columns = adapter.get_columns_in_relation(customer_relation) | map(attribute='name')
        | map('lower') | list if customer_relation is not none else [] -%}
    {%- set problem_query -%}
        with

        registry_models as (
            select * from {{ registry }}
        ),

        champions as (
            select model_version, k from registry_models
            where status = 'champion'
        ),

        champion as (
            select model_version, k from champions
            where (select count(*) from champions) = 1
        ),

        champion_parameters as (
            select parameters.*
            from {{ parameters }} as parameters
            inner join champion on parameters.model_version = champion.model_version
        ),

        champion_shape as (
            select
                champion.model_version,
                champion.k,
                count(parameters.model_version) as row_count,
                count(distinct parameters.segment_id) as segment_count,
                count(distinct parameters.feature) as feature_count,
                count(distinct cast(parameters.segment_id as varchar) || '/' || parameters.feature)
                    as pair_count,
                (
                    select string_agg(cast(segment_id as varchar), ', ' order by segment_id)
                    from (select distinct segment_id from champion_parameters) as segments
                ) as segment_ids
            from champion
            left join champion_parameters as parameters
                on champion.model_version = parameters.model_version
            group by champion.model_version, champion.k
        ),

        problems as (
            select
                1 as priority,
                'marts.segment_models: model ' || coalesce(model_version, 'NULL') || ' has status '
                || coalesce('''' || status || '''', 'NULL')
                || ', expected ''champion'' or ''retired''' as problem
            from registry_models
            where status is null or status not in ('champion', 'retired') or model_version is null

            union all

            select
                2 as priority,
                'marts.segment_models holds ' || count(*) || ' rows for model ' || model_version
                || ': delete all but one' as problem
            from registry_models
            group by model_version
            having count(*) > 1

            union all

            select
                3 as priority,
                'marts.segment_models holds ' || count(*) || ' champions ('
                || string_agg(model_version, ', ' order by model_version)
                || '): set the status of all but one to ''retired''' as problem
            from champions
            having count(*) > 1

            union all

            select
                4 as priority,
                'marts.segment_models holds ' || count(*) || ' model(s) and no champion: set the '
                || 'status of one of them to ''champion'', or import a model '
                || '(make import-model FILE=...)' as problem
            from registry_models
            having count(*) > 0 and count(*) filter (where status = 'champion') = 0

            union all

            select
                5 as priority,
                'marts.segment_model_parameters has no rows for the champion ' || model_version
                || ' of marts.segment_models: restore them {{ fix }}' as problem
            from champion_shape
            where row_count = 0

            union all

            select
                6 as priority,
                'marts.segment_model_parameters holds ' || segment_count || ' segment(s) ('
                || segment_ids || ') of the champion ' || model_version
                || ', whose k in marts.segment_models is ' || coalesce(cast(k as varchar), 'NULL')
                || ': restore the missing segments {{ fix }}' as problem
            from champion_shape
            where row_count > 0 and segment_count is distinct from k

            union all

            select
                7 as priority,
                'marts.segment_model_parameters holds ' || row_count || ' rows for the champion '
                || model_version || ', expected one per segment and feature (' || segment_count
                || ' x ' || feature_count || ' = ' || segment_count * feature_count
                || '): restore or delete rows {{ fix }}' as problem
            from champion_shape
            where row_count > 0 and (
                row_count != segment_count * feature_count or pair_count != row_count
            )

            union all

            select
                8 as priority,
                'marts.segment_model_parameters: the champion ' || model_version
                || ' has a NULL or non-positive scale, or a NULL segment_id, feature, '
                || 'centroid_scaled, center or impute_value, for feature(s) '
                || string_agg(distinct coalesce(feature, 'NULL'), ', ' order by coalesce(feature, 'NULL'))
                || ': restore the values {{ fix }}' as problem
            from champion_parameters
            where
                segment_id is null or feature is null or centroid_scaled is null
                or center is null or impute_value is null or scale is null or scale <= 0
            group by model_version

            {%- if customer_columns %}

            union all

            select
                9 as priority,
                'marts.segment_model_parameters: the champion ' || model_version
                || ' reads feature(s) that are not columns of marts.customer_rfm: '
                || string_agg(distinct feature, ', ' order by feature)
                || ': correct the feature names {{ fix }}' as problem
            from champion_parameters
            where lower(feature) not in (
                {%- for column in customer_columns %}
                '{{ column }}'{{ "," if not loop.last }}
                {%- endfor %}
            )
            group by model_version
            {%- endif %}
        )

        select problem from problems
        order by priority, problem
        limit 1
    {%- endset -%}
    {%- set rows = run_query(problem_query).rows -%}
    {{ return(rows[0][0] if rows | length > 0 else none) }}
{%- endmacro %}
