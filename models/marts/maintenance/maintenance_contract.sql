{#- The maintenance contract, one row. The rule: recommended_retrain_months is the largest m such
    that, in every month 1..m, at least var stability_origin_share of the origins reaching that
    month still hold (ARI frozen vs refit at or above var stability_ari_threshold in every month up
    to it); retrain_months_low..high is the range of the origins' own intervals. Drift alerts
    are the rows of maintenance_contract_drift_alerts. -#}
{%- set threshold = var('stability_ari_threshold') -%}
{%- set origin_share = var('stability_origin_share') -%}
{%- set psi_alert = var('stability_psi_alert') -%}
{%- set share_drift_alert = var('stability_share_drift_alert') -%}
with

stability as (
    select * from {{ ref('segment_stability') }}
),

feature_psi as (
    select * from {{ ref('segment_stability_feature_psi') }}
),

origins as (
    select * from {{ ref('maintenance_contract_by_origin') }}
),

by_month as (
    select * from {{ ref('maintenance_contract_by_month') }}
),

drift_alerts as (
    select * from {{ ref('maintenance_contract_drift_alerts') }}
),

customers as (
    select * from {{ ref('customer_rfm') }}
),

interval_over_origins as (
    select
        min(month_offset) filter (where not interval_holds) as first_month_below_threshold,
        max(month_offset) as studied_month_count
    from by_month
),

origin_range as (
    select
        cast(count(*) as integer) as origin_count,
        min(t0) as first_t0,
        max(t0) as last_t0,
        min(retrain_months) as retrain_months_low,
        max(retrain_months) as retrain_months_high,
        median(noise_floor_ari_t0) as noise_floor_ari_t0
    from origins
),

study as (
    select
        any_value(k) as k,
        any_value(seed) as seed,
        max(sampled_customer_count) as sampled_customer_count,
        min(ari_frozen_vs_refit) as min_ari_frozen_vs_refit,
        median(noise_floor_ari) as noise_floor_ari,
        min(noise_floor_ari_low) as noise_floor_ari_low,
        median(noise_floor_seed_ari) as noise_floor_seed_ari,
        count(*) filter (where ari_frozen_vs_refit is null) > 0 as has_missing_ari
    from stability
),

alerts as (
    select coalesce(string_agg(alert, '; ' order by alert_order), 'none') as drift_alerts
    from drift_alerts
),

features as (
    select string_agg(feature, ', ' order by feature_position) as feature_list
    from (
        select distinct
            feature,
            feature_position
        from feature_psi
    ) as distinct_features
),

rule as (
    select
        origin_range.*,
        interval_over_origins.first_month_below_threshold,
        interval_over_origins.studied_month_count,
        interval_over_origins.first_month_below_threshold is null as ari_never_below_threshold,
        cast(coalesce(
            interval_over_origins.first_month_below_threshold - 1, interval_over_origins.studied_month_count
        ) as integer) as recommended_retrain_months
    from origin_range
    cross join interval_over_origins
),

final as (
    select
        (select max(customers.reference_date) from customers) as computed_on,
        rule.first_t0,
        rule.last_t0,
        rule.origin_count,
        study.k,
        study.seed,
        rule.studied_month_count,
        cast({{ threshold }} as double) as ari_threshold,
        cast({{ origin_share }} as double) as origin_share,
        rule.recommended_retrain_months,
        rule.retrain_months_low,
        rule.retrain_months_high,
        rule.first_month_below_threshold,
        rule.ari_never_below_threshold,
        study.min_ari_frozen_vs_refit,
        study.noise_floor_ari,
        study.noise_floor_ari_low,
        study.noise_floor_seed_ari,
        rule.noise_floor_ari_t0,
        cast({{ psi_alert }} as double) as psi_alert,
        cast({{ share_drift_alert }} as double) as share_drift_alert,
        printf(
            'retrain every %d months (range %d–%d over %d starting months)',
            rule.recommended_retrain_months, rule.retrain_months_low, rule.retrain_months_high,
            rule.origin_count
        ) as contract_summary,
        alerts.drift_alerts,
        'Every month, score the new customer_rfm snapshot with the frozen model (no refit) and '
        || 'compare with the reference date: PSI of each feature ('
        || coalesce(features.feature_list, 'the model features')
        || ') against its reference deciles (watch >= 0.1, act >= {{ psi_alert }}); frozen segment shares '
        || '(act when one moves by >= {{ share_drift_alert }}); share of customers unseen at the reference date; '
        || printf('and on a %d-customer sample ', study.sampled_customer_count)
        || 'the ARI between frozen labels and a same-seed refit (retrain when < {{ threshold }}; '
        || printf('noise floor %.2f, lowest %.2f). ', study.noise_floor_ari, study.noise_floor_ari_low)
        || case
            when rule.recommended_retrain_months = 0
                then 'The frozen model is already below the threshold after one month: refit at every '
                    || 'monthly build rather than freezing it.'
            else printf(
                    'Retrain at the latest %d month(s) after the model''s reference date, earlier on any '
                    || 'act-level alert.',
                    rule.recommended_retrain_months
                )
        end as monitoring,
        'make retrain (refits the champion''s configuration on today''s data; a build does it '
        || 'by itself when the interval is reached); add var segment_reselect: true to '
        || 're-choose k and the features (README, Running it every night)'
            as retrain_command,
        nullif(concat_ws(
            '; ',
            case
                when rule.ari_never_below_threshold
                    then printf(
                            'the ARI stayed >= %s for at least %s of the origins through all %d studied '
                            || 'month(s): the interval is capped by the history available, the true one may be longer',
                            '{{ threshold }}', '{{ origin_share }}', rule.studied_month_count
                        )
            end,
            case
                when study.noise_floor_ari < {{ threshold }}
                    then printf(
                            'the noise floor (%.3f) is below the threshold: models refitted on other samples '
                            || 'with other seeds already disagree that much, so the ARI decay is not separable '
                            || 'from sampling noise (consider a smaller k or a lower threshold)',
                            study.noise_floor_ari
                        )
            end,
            case
                when rule.origin_count < 3
                    then printf('only %d origin(s): the range over origins says little', rule.origin_count)
            end,
            case
                when study.has_missing_ari then 'some months have no ARI; they were treated as below the threshold'
            end
        ), '') as caveats
    from rule
    cross join study
    cross join alerts
    cross join features
)

select * from final
