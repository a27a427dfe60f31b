{#- maintenance_contract v1 (README, Governance: versions): the columns it had before
    the contract read many origins (t0 is the latest origin, last_t0).
    Deprecated on 2027-03-01: read the latest version, `ref('maintenance_contract')`. -#}
with

latest as (
    select * from {{ ref('maintenance_contract', v=2) }}
),

final as (
    select
        computed_on,
        k,
        seed,
        ari_threshold,
        recommended_retrain_months,
        first_month_below_threshold,
        ari_never_below_threshold,
        min_ari_frozen_vs_refit,
        noise_floor_ari,
        noise_floor_ari_t0,
        psi_alert,
        share_drift_alert,
        drift_alerts,
        monitoring,
        retrain_command,
        caveats,
        last_t0 as t0,
        studied_month_count as months_studied
    from latest
)

select * from final
