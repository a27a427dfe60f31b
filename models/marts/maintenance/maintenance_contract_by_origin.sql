{#- Each origin's own retrain interval: the last month m such that every month 1..m keeps the ARI
    (frozen vs refit) at or above var stability_ari_threshold. A missing ARI counts as below (no
    evidence of stability); an origin whose ARI never falls below is capped by its months. -#}
with

stability as (
    select * from {{ ref('segment_stability') }}
),

final as (
    select
        t0,
        cast(count(*) as integer) as studied_month_count,
        cast(min(month_offset) filter (
            where not coalesce(ari_frozen_vs_refit >= {{ var('stability_ari_threshold') }}, false)
        ) as integer) as first_month_below_threshold,
        min(ari_frozen_vs_refit) as min_ari_frozen_vs_refit,
        any_value(noise_floor_ari_t0) as noise_floor_ari_t0
    from stability
    group by t0
)

select
    t0,
    studied_month_count,
    coalesce(first_month_below_threshold - 1, studied_month_count) as retrain_months,
    first_month_below_threshold,
    first_month_below_threshold is null as ari_never_below_threshold,
    min_ari_frozen_vs_refit,
    noise_floor_ari_t0
from final
order by t0
