-- depends_on: {{ ref('customer_rfm') }}
-- depends_on: {{ ref('int_segment_champion_previous') }}
{# Drift of each feature of the champion: the population stability index of today's customers
    against the ten bins stored when the champion was promoted. Empty on a first build. -#}
{%- set registry = previous_build_table('segment_models') -%}
{%- set bins = previous_build_table('segment_model_reference_bins') -%}

{%- if registry is not none and bins is not none %}

with

customers as (
    select * from {{ ref('customer_rfm') }}
),

champion as (
    select model_version from {{ registry }}
    where status = 'champion'
),

reference_bins as (
    select bins.*
    from {{ bins }} as bins
    inner join champion
        on bins.model_version = champion.model_version
),

feature_values as (
    {{ customer_feature_values('customers', model_features(ref('int_segment_champion_previous'))) }}
),

today_bins as (
    select
        reference_bins.feature,
        reference_bins.bin_number,
        reference_bins.expected_share,
        count(feature_values.feature_value) as customer_count
    from reference_bins
    left join feature_values
        on
            reference_bins.feature = feature_values.feature
            and (reference_bins.lower_edge is null or feature_values.feature_value >= reference_bins.lower_edge)
            and (reference_bins.upper_edge is null or feature_values.feature_value < reference_bins.upper_edge)
    group by reference_bins.feature, reference_bins.bin_number, reference_bins.expected_share
),

feature_psi as (
    -- population stability index; empty bins are floored at 1e-4 so the log stays finite
    select
        feature,
        sum(
            (greatest(actual_share, 1e-4) - greatest(expected_share, 1e-4))
            * ln(greatest(actual_share, 1e-4) / greatest(expected_share, 1e-4))
        ) as psi
    from (
        select
            *,
            customer_count * 1.0 / nullif(sum(customer_count) over (partition by feature), 0)
                as actual_share
        from today_bins
    ) as shares
    group by feature
)

select
    (select model_version from champion) as model_version,
    feature,
    psi
from feature_psi

{%- else %}

    select
        cast(null as {{ dbt.type_string() }}) as model_version,
        cast(null as {{ dbt.type_string() }}) as feature,
        cast(null as double) as psi
    where false

{%- endif %}
