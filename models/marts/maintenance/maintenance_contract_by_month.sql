{#- The contract month by month, over the origins that reach the month: how many still hold (ARI at
    or above the threshold in every month up to this one), the median and lowest ARI, and the noise
    floor it is read against. The interval holds at a month when at least var
    stability_origin_share of those origins hold. -#}
with

stability as (
    select * from {{ ref('segment_stability') }}
),

origins as (
    select * from {{ ref('maintenance_contract_by_origin') }}
),

by_month as (
    select
        stability.month_offset,
        cast(count(*) as integer) as origin_count,
        cast(count(*) filter (
            where
            origins.first_month_below_threshold is null
            or origins.first_month_below_threshold > stability.month_offset
        ) as integer) as holding_origin_count,
        median(stability.ari_frozen_vs_refit) as median_ari_frozen_vs_refit,
        min(stability.ari_frozen_vs_refit) as min_ari_frozen_vs_refit,
        max(stability.ari_frozen_vs_refit) as max_ari_frozen_vs_refit,
        median(stability.noise_floor_ari) as noise_floor_ari,
        min(stability.noise_floor_ari_low) as noise_floor_ari_low,
        median(stability.noise_floor_seed_ari) as noise_floor_seed_ari,
        median(stability.max_psi) as median_max_psi,
        median(stability.max_share_drift) as median_max_share_drift
    from stability
    inner join origins on stability.t0 = origins.t0
    group by stability.month_offset
)

select
    month_offset,
    origin_count,
    holding_origin_count,
    holding_origin_count / origin_count as holding_origin_share,
    holding_origin_count / origin_count >= {{ var('stability_origin_share') }} as interval_holds,
    median_ari_frozen_vs_refit,
    min_ari_frozen_vs_refit,
    max_ari_frozen_vs_refit,
    noise_floor_ari,
    noise_floor_ari_low,
    noise_floor_seed_ari,
    median_max_psi,
    median_max_share_drift
from by_month
order by month_offset
