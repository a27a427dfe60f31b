-- The recommendation follows from the stability rows: one row per month 1..studied_month_count, every
-- month up to the recommended interval keeps the ARI at or above the threshold, and the next month
-- (when studied) falls below it.
with

contract as (
    select * from {{ ref('maintenance_contract') }}
),

stability as (
    select * from {{ ref('segment_stability') }}
),

month_counts as (
    select
        count(*) as months,
        min(month_offset) as first_month,
        max(month_offset) as last_month
    from stability
),

problems as (
    select 'stability rows are not one per month 1..studied_month_count' as problem
    from contract
    cross join month_counts
    where
        month_counts.months != contract.studied_month_count
        or month_counts.first_month != 1
        or month_counts.last_month != contract.studied_month_count
    union all
    select 'month ' || stability.month_offset || ' is within the interval but below the threshold'
    from stability
    cross join contract
    where
        stability.month_offset <= contract.recommended_retrain_months
        and stability.ari_frozen_vs_refit < contract.ari_threshold
    union all
    select 'the month after the interval is not below the threshold'
    from stability
    cross join contract
    where
        stability.month_offset = contract.recommended_retrain_months + 1
        and stability.ari_frozen_vs_refit >= contract.ari_threshold
)

select * from problems
