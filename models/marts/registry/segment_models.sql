{{ config(
    materialized='incremental',
    unique_key='model_version',
    incremental_strategy='delete+insert',
    full_refresh=false,
) }}
{#- The model registry: one row per model ever promoted, the champion and the retired ones.
    Incremental (and deaf to --full-refresh) so that it survives every build; a promotion inserts
    the new champion and rewrites the previous champion's row as retired. -#}
with

fitted_model as (
    select * from {{ ref('int_segment_model_fitted') }}
),

promoted as (
    select distinct
        model_version,
        reference_date,
        k,
        feature_set,
        seed,
        algorithm,
        fitted_customer_count,
        promoted_because
    from fitted_model
    where is_promoted
),

new_champion as (
    select
        cast(model_version as {{ dbt.type_string() }}) as model_version,
        cast('{{ run_started_at }}' as timestamp) as fitted_at,
        cast(reference_date as date) as reference_date,
        cast(k as integer) as k,
        cast(feature_set as {{ dbt.type_string() }}) as feature_set,
        cast(seed as integer) as seed,
        cast(algorithm as {{ dbt.type_string() }}) as algorithm,
        cast(fitted_customer_count as bigint) as fitted_customer_count,
        cast('champion' as {{ dbt.type_string() }}) as status,
        cast(promoted_because as {{ dbt.type_string() }}) as promoted_because,
        cast(null as timestamp) as retired_at
    from promoted
),

{%- if is_incremental() %}

retired as (
    select
        model_version,
        fitted_at,
        reference_date,
        k,
        feature_set,
        seed,
        algorithm,
        fitted_customer_count,
        'retired' as status,
        promoted_because,
        cast('{{ run_started_at }}' as timestamp) as retired_at
    from {{ this }}
    where
        status = 'champion'
        and exists (select 1 from promoted)
        and model_version not in (select promoted.model_version from promoted)
),

{%- else %}

    retired as (
        select * from new_champion
        where false
    ),

{%- endif %}

final as (
    select * from new_champion
    union all
    select * from retired
)

select * from final
