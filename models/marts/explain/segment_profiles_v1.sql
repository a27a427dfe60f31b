{#- segment_profiles v1 (README, Governance: versions): the columns it had before
    its statistics per feature moved to the long table segment_profile_features: one column per
    statistic and feature of the default var profile_features (NULL for a feature not profiled).
    Deprecated on 2027-03-01: read the latest version, `ref('segment_profiles')`. -#}
{%- set statistic_columns = [] %}
{%- for statistic, source_column in [('mean', 'mean'), ('median', 'median'), ('z', 'z_score')] %}
    {%- for feature in ['recency_days', 'frequency', 'monetary', 'avg_order_value', 'avg_review_score',
        'avg_delivery_days', 'late_delivery_share', 'category_count', 'max_installments'] %}
        {%- do statistic_columns.append((statistic ~ '_' ~ feature, source_column, feature)) %}
    {%- endfor %}
{%- endfor %}
with

latest as (
    select * from {{ ref('segment_profiles', v=2) }}
),

feature_statistics as (
    select * from {{ ref('segment_profile_features') }}
),

statistics_wide as (
    select
        segment_id,
        {% for name, source_column, feature in statistic_columns %}
            max(case when feature = '{{ feature }}' then {{ source_column }} end)
                as {{ name }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from feature_statistics
    group by segment_id
),

final as (
    select
        latest.*,
        {% for name, source_column, feature in statistic_columns %}
            statistics_wide.{{ name }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from latest
    left join statistics_wide
        on latest.segment_id = statistics_wide.segment_id
)

select * from final
