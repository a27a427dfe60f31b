{#-
    Scores customers with a stored segment model in SQL: the nightly path (customer_segments).

    customers: a relation with customer_unique_id and the model's feature columns (customer_rfm).
    model:     a relation shaped like segment_centroids: one row per (segment_id, feature) with
               model_version, segment_name, feature, feature_order, log1p, impute_value, center,
               scale and centroid_scaled, for exactly one model_version.
    Returns a select with one row per customer: customer_unique_id, segment_id, segment_name,
    distance_to_centroid (Euclidean, scaled units) and model_version.

    The arithmetic is SegmentModel's (src/olist_segmentation/segmentation/model.py), per feature:
    NULL -> impute_value, then ln(1 + x) when log1p, then (x - center) / scale; then the nearest
    centroid by squared Euclidean distance, a tie going to the lowest segment_id (np.argmin over
    centroids sorted by segment_id). The customers' features are unpivoted (one row per customer
    and feature) and joined to the centroids, so any number of features and segments works. The
    squared distance adds the features in name order (ordered_sum): an unordered float sum
    changes in its last bits with the engine's threading, and two builds on the same data must
    give the same distances and the same ties.

    The feature columns are read from the model at execution (segment_model_features); a model
    whose features are not columns of `customers` fails the build with one line naming them. The
    SQL is the same on DuckDB and Spark (`ln`, `sqrt`, `qualify` and `double` exist on both).
-#}
{% macro score_with_segment_model(customers, model) %}
    {%- set features = segment_model_features(customers, model) -%}
    with

    segment_model as (
        select
            model_version,
            segment_id,
            segment_name,
            feature,
            centroid_scaled,
            coalesce(log1p, false) as is_log1p,
            impute_value,
            center,
            scale
        from {{ model }}
    ),

    model_features as (
        select distinct feature, is_log1p, impute_value, center, scale
        from segment_model
    ),

    customer_feature_values as (
        -- the customers' model features unpivoted: one row per (customer, feature)
        select
            customers.customer_unique_id,
            model_features.feature,
            model_features.is_log1p,
            model_features.center,
            model_features.scale,
            coalesce(
                {%- if features %}
                case model_features.feature
                {%- for feature in features %}
                    when '{{ feature }}' then cast(customers.{{ feature }} as double)
                {%- endfor %}
                end,
                {%- else %}
                cast(null as double),
                {%- endif %}
                model_features.impute_value
            ) as imputed_value
        from {{ customers }} as customers
        cross join model_features
    ),

    scaled_values as (
        select
            customer_unique_id,
            feature,
            (
                case when is_log1p then ln(1 + imputed_value) else imputed_value end - center
            ) / scale as scaled_value
        from customer_feature_values
    ),

    squared_distances as (
        select
            scaled_values.customer_unique_id,
            segment_model.segment_id,
            {{ ordered_sum(
                '(scaled_values.scaled_value - segment_model.centroid_scaled)'
                ~ ' * (scaled_values.scaled_value - segment_model.centroid_scaled)',
                'scaled_values.feature'
            ) }} as squared_distance
        from scaled_values
        inner join segment_model
            on scaled_values.feature = segment_model.feature
        group by scaled_values.customer_unique_id, segment_model.segment_id
    ),

    nearest_segments as (
        select customer_unique_id, segment_id, squared_distance
        from squared_distances
        qualify row_number() over (
            partition by customer_unique_id order by squared_distance, segment_id
        ) = 1
    ),

    segments as (
        select distinct segment_id, segment_name, model_version
        from segment_model
    )

    select
        nearest_segments.customer_unique_id,
        nearest_segments.segment_id,
        segments.segment_name,
        sqrt(nearest_segments.squared_distance) as distance_to_centroid,
        segments.model_version
    from nearest_segments
    inner join segments
        on nearest_segments.segment_id = segments.segment_id
{% endmacro %}


{#-
    The features of the segment model in `model` (feature_order order), checked against the columns
    of `customers`: the model must hold exactly one model_version, every segment must have every
    feature, and every feature must be a column of `customers`; otherwise a one-line compilation
    error names the model version and what is wrong. Returns [] at parse time (no query runs) and
    when the model table does not exist yet.
    Unit tests override it with the fixture model's features (their inputs are CTEs, not tables).
-#}
{% macro segment_model_features(customers, model) %}
    {#- parse time, or a compile before the model table exists (sqlfluff, dbt compile on an empty
        warehouse): no feature; running that SQL would fail on the missing table anyway -#}
    {%- if not execute or load_relation(model) is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set model_query -%}
        select
            model_version,
            feature,
            min(feature_order) as first_feature_order,
            count(distinct segment_id) as segment_count,
            (select count(distinct segment_id) from {{ model }}) as model_segment_count
        from {{ model }}
        group by model_version, feature
        order by first_feature_order, feature
    {%- endset -%}
    {%- set rows = run_query(model_query).rows -%}
    {%- set versions = rows | map(attribute=0) | map('string') | unique | sort | list -%}
    {%- if versions | length != 1 -%}
        {{ exceptions.raise_compiler_error(
            "segment model " ~ model ~ " must hold exactly one model_version, found "
            ~ (versions | length) ~ (": " ~ versions | join(", ") if versions else "")) }}
    {%- endif -%}
    {%- set version = versions[0] -%}
    {%- set features = rows | map(attribute=1) | map('string') | list -%}
    {%- set incomplete = [] -%}
    {%- for row in rows if row[3] != row[4] -%}
        {%- do incomplete.append(row[1]) -%}
    {%- endfor -%}
    {%- if incomplete -%}
        {{ exceptions.raise_compiler_error(
            "segment model " ~ version ~ " (" ~ model ~ ") lacks centroids of some segments for feature(s): "
            ~ incomplete | join(", ")) }}
    {%- endif -%}
    {%- set columns = adapter.get_columns_in_relation(customers) | map(attribute='name') | map('lower') | list -%}
    {%- set missing = [] -%}
    {%- for feature in features if feature | lower not in columns -%}
        {%- do missing.append(feature) -%}
    {%- endfor -%}
    {%- if missing -%}
        {{ exceptions.raise_compiler_error(
            "segment model " ~ version ~ " reads feature(s) that are not columns of " ~ customers
            ~ ": " ~ missing | join(", ")) }}
    {%- endif -%}
    {{ return(features) }}
{% endmacro %}
