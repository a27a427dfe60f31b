{#- The champion as the registry held it before this build: its model table, one row per
    (segment, feature), and the largest segment id any promoted model has used (new segments are
    numbered above it, so an id never comes back). Empty on a first build. The registry is read as
    the previous build left it (macro previous_build_table): it is updated downstream of here.
    The ref below only orders it after customer_rfm, so that every selection that builds what
    reads it (`customer_rfm+`, `stg_olist__orders+`, `+customer_segments`) builds it too. -#}
-- depends_on: {{ ref('customer_rfm') }}
{%- set registry = previous_build_table('segment_models') -%}
{%- set parameters = previous_build_table('segment_model_parameters') -%}

{%- if registry is not none and parameters is not none %}

with

registry_models as (
    select * from {{ registry }}
),

registry_parameters as (
    select * from {{ parameters }}
),

champions as (
    select model_version from registry_models
    where status = 'champion'
),

checked_champions as (
    select
        case
            when (select count(*) from champions) > 1
                then {{ raise_error("'marts.segment_models holds ' || (select count(*) from champions) || ' champions (' || (select string_agg(model_version, ', ') from champions) || '): set the status of all but one to retired'") }}
            when (select count(*) from champions) = 1
                and not exists (
                    select 1 from registry_parameters
                    where registry_parameters.model_version = (select model_version from champions)
                )
                then {{ raise_error("'marts.segment_model_parameters has no rows for the champion ' || (select model_version from champions) || ' of marts.segment_models: restore them or import the model again (make import-model FILE=...)'") }}
        end as problem,
        model_version
    from champions
),

final as (
    select
        {{ select_segment_model_columns('registry_parameters.') }},
        (select max(all_parameters.segment_id) from registry_parameters as all_parameters)
            as max_segment_id_ever
    from registry_parameters
    inner join checked_champions
        on registry_parameters.model_version = checked_champions.model_version
    where checked_champions.problem is null
)

select * from final

{%- else %}

    select
        *,
        cast(null as integer) as max_segment_id_ever
    from ({{ empty_segment_model_table() }}) as no_champion

{%- endif %}
