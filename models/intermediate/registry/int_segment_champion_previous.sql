-- depends_on: {{ ref('customer_rfm') }}
{#- The champion as the registry held it before this build: its model table, one row per
    (segment, feature), and the largest segment id any promoted model has used (new segments are
    numbered above it, so an id never comes back). Empty on a first build. The registry is read as
    the previous build left it (macro previous_build_table): it is updated downstream of here.
    The ref of customer_rfm orders it after that model, so that every selection that builds what
    reads it (`customer_rfm+`, `stg_olist__orders+`, `+customer_segments`) builds it too.

    A registry edited by hand into a state no build leaves (two champions, none, a champion without
    its parameters or with some of them missing, a feature customer_rfm lacks...) stops the build
    with one line naming the table and what is wrong (macro registry_champion_problem), before any
    model reads it. With var segment_import_model_file the import replaces that champion, so the
    build goes on without it: importing the model again is the way out the message suggests. -#}
{%- set registry = previous_build_table('segment_models') -%}
{%- set parameters = previous_build_table('segment_model_parameters') -%}
{%- set problem = registry_champion_problem(registry, parameters, ref('customer_rfm')) -%}
{%- if problem and var('segment_import_model_file') is none -%}
    {{ exceptions.raise_compiler_error(problem) }}
{%- endif -%}

{%- if registry is not none and parameters is not none and not problem %}

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

final as (
    select
        {{ select_segment_model_columns('registry_parameters.') }},
        (select max(all_parameters.segment_id) from registry_parameters as all_parameters)
            as max_segment_id_ever
    from registry_parameters
    inner join champions
        on registry_parameters.model_version = champions.model_version
)

select * from final

{%- else %}

    select
        *,
        cast(null as integer) as max_segment_id_ever
    from ({{ empty_segment_model_table() }}) as no_champion

{%- endif %}
