{#- The drift alerts of the contract, one row per measure that crossed its alert level: a feature
    whose median PSI over origins reaches var stability_psi_alert, or the segment shares when their
    median largest drift reaches var stability_share_drift_alert; when it started and how bad it got. -#}
{%- set psi_alert = var('stability_psi_alert') -%}
{%- set share_drift_alert = var('stability_share_drift_alert') -%}
with

feature_psi as (
    select * from {{ ref('segment_stability_feature_psi') }}
),

by_month as (
    select * from {{ ref('maintenance_contract_by_month') }}
),

psi_by_month as (
    select
        feature,
        feature_position,
        month_offset,
        median(psi) as median_psi
    from feature_psi
    group by feature, feature_position, month_offset
),

measures as (
    select
        feature as measure,
        feature_position as alert_order,
        cast({{ psi_alert }} as double) as alert_level,
        cast(min(month_offset) filter (where median_psi >= {{ psi_alert }}) as integer) as first_alert_month,
        max(median_psi) as worst_value,
        cast(arg_max(month_offset, median_psi) as integer) as worst_month
    from psi_by_month
    group by feature, feature_position
    union all
    select
        'segment shares' as measure,
        1000 as alert_order,
        cast({{ share_drift_alert }} as double) as alert_level,
        cast(min(month_offset) filter (
            where median_max_share_drift >= {{ share_drift_alert }}
        ) as integer) as first_alert_month,
        max(median_max_share_drift) as worst_value,
        cast(arg_max(month_offset, median_max_share_drift) as integer) as worst_month
    from by_month
),

final as (
    select
        measure,
        alert_order,
        alert_level,
        first_alert_month,
        worst_value,
        worst_month,
        case
            when measure = 'segment shares'
                then printf(
                        'segment shares: median drift over origins >= %s from month %d (max %.3f at month %d)',
                        '{{ share_drift_alert }}', first_alert_month, worst_value, worst_month
                    )
            else printf(
                    '%s: median PSI over origins >= %s from month %d (max %.2f at month %d)',
                    measure, '{{ psi_alert }}', first_alert_month, worst_value, worst_month
                )
        end as alert
    from measures
    where first_alert_month is not null
)

select * from final
order by alert_order
