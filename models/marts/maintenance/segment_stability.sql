{#- The stability simulation, one row per (origin t0, month after it): the study's one-value
    measures pivoted back to columns, plus the feature with the largest PSI. Per-feature PSI and per-segment shares
    are long tables: segment_stability_feature_psi and segment_stability_segment_shares. -#}
with

measured as (
    select * from {{ ref('int_segment_stability_measured') }}
),

monthly_measures as (
    select
        t0,
        snapshot_date,
        month_offset,
        features,
        k,
        seed,
        max(value) filter (where measure = 'customer_count') as customer_count,
        max(value) filter (where measure = 'sampled_customer_count') as sampled_customer_count,
        max(value) filter (where measure = 'known_at_t0_customer_count') as known_at_t0_customer_count,
        max(value) filter (where measure = 'new_customer_share') as new_customer_share,
        max(value) filter (where measure = 'ari_frozen_vs_refit') as ari_frozen_vs_refit,
        max(value) filter (where measure = 'noise_floor_ari') as noise_floor_ari,
        max(value) filter (where measure = 'noise_floor_ari_low') as noise_floor_ari_low,
        max(value) filter (where measure = 'noise_floor_seed_ari') as noise_floor_seed_ari,
        max(value) filter (where measure = 'noise_floor_ari_t0') as noise_floor_ari_t0,
        max(value) filter (where measure = 'changed_share') as changed_share,
        max(value) filter (where measure = 'max_share_drift') as max_share_drift,
        max(value) filter (where measure = 'history_sample_share') as history_sample_share
    from measured
    group by t0, snapshot_date, month_offset, features, k, seed
),

largest_psi as (
    {#- ties go to the first feature of the study's feature list, as in the study itself -#}
    select
        t0,
        month_offset,
        value as max_psi,
        item as max_psi_feature
    from measured
    where measure = 'psi'
    qualify row_number() over (partition by t0, month_offset order by value desc, item_position asc) = 1
),

final as (
    select
        monthly_measures.t0,
        monthly_measures.snapshot_date,
        monthly_measures.month_offset,
        monthly_measures.features,
        monthly_measures.k,
        monthly_measures.seed,
        cast(monthly_measures.customer_count as bigint) as customer_count,
        cast(monthly_measures.sampled_customer_count as bigint) as sampled_customer_count,
        cast(monthly_measures.known_at_t0_customer_count as bigint) as known_at_t0_customer_count,
        monthly_measures.new_customer_share,
        monthly_measures.ari_frozen_vs_refit,
        monthly_measures.noise_floor_ari,
        monthly_measures.noise_floor_ari_low,
        monthly_measures.noise_floor_seed_ari,
        monthly_measures.noise_floor_ari_t0,
        monthly_measures.changed_share,
        monthly_measures.max_share_drift,
        largest_psi.max_psi,
        largest_psi.max_psi_feature,
        monthly_measures.history_sample_share
    from monthly_measures
    left join largest_psi
        on
            monthly_measures.t0 = largest_psi.t0
            and monthly_measures.month_offset = largest_psi.month_offset
)

select * from final
order by t0, month_offset
