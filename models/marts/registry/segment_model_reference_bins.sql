{{ config(materialized='incremental', unique_key=['model_version', 'feature', 'bin_number'], full_refresh=false) }}
{#- The distribution of each model feature when the model was promoted: ten bins between its
    deciles with the share of customers in each, so that later builds measure drift (PSI) against
    the data the model was fitted on. Written once per model, kept forever. -#}
{%- set features = model_features(ref('segment_centroids')) %}

with

champion as (
    select distinct model_version from {{ ref('segment_centroids') }}
),

customers as (
    select * from {{ ref('customer_rfm') }}
),

feature_values as (
    {{ customer_feature_values('customers', features) }}
),

known_values as (
    select * from feature_values
    where feature_value is not null
),

deciles as (
    select
        feature,
        quantile_cont(feature_value, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) as edges
    from known_values
    group by feature
),

bin_numbers as (
    select unnest(range(1, 11)) as bin_number
),

bins as (
    -- bin n covers [edge n-1, edge n); the first and last are open
    select
        deciles.feature,
        bin_numbers.bin_number,
        case when bin_numbers.bin_number > 1 then deciles.edges[bin_numbers.bin_number - 1] end
            as lower_edge,
        case when bin_numbers.bin_number < 10 then deciles.edges[bin_numbers.bin_number] end
            as upper_edge
    from deciles
    cross join bin_numbers
),

bin_counts as (
    select
        bins.feature,
        bins.bin_number,
        bins.lower_edge,
        bins.upper_edge,
        count(known_values.feature_value) as customer_count
    from bins
    left join known_values
        on
            bins.feature = known_values.feature
            and (bins.lower_edge is null or bins.lower_edge <= known_values.feature_value)
            and (bins.upper_edge is null or bins.upper_edge > known_values.feature_value)
    group by bins.feature, bins.bin_number, bins.lower_edge, bins.upper_edge
),

final as (
    select
        champion.model_version,
        bin_counts.feature,
        cast(bin_counts.bin_number as integer) as bin_number,
        bin_counts.lower_edge,
        bin_counts.upper_edge,
        bin_counts.customer_count,
        bin_counts.customer_count * 1.0
        / sum(bin_counts.customer_count) over (partition by bin_counts.feature) as expected_share
    from bin_counts
    cross join champion
    {%- if is_incremental() %}
    where champion.model_version not in (select model_version from {{ this }})
    {%- endif %}
)

select * from final
