-- The contract follows from the stability rows, recomputed here without the contract's models:
-- every origin has one row per month 1..n; each origin's interval is the month before its first
-- month below the threshold (or its last month); the contract's interval is the last month m such
-- that every month 1..m has at least stability_origin_share of the origins reaching it still
-- holding; its range and origin count are those of the origins.
with

contract as (
    select * from {{ ref('maintenance_contract') }}
),

stability as (
    select * from {{ ref('segment_stability') }}
),

per_origin as (
    select
        t0,
        count(*) as month_count,
        max(month_offset) as last_month,
        min(month_offset) as first_month,
        coalesce(
            min(case when ari_frozen_vs_refit >= {{ var('stability_ari_threshold') }} then null else month_offset end)
            - 1,
            max(month_offset)
        ) as interval_months
    from stability
    group by t0
),

month_shares as (
    select
        stability.month_offset,
        avg(case when per_origin.interval_months >= stability.month_offset then 1.0 else 0.0 end) as holding_share
    from stability
    inner join per_origin on stability.t0 = per_origin.t0
    group by stability.month_offset
),

expected as (
    select
        (select count(*) from per_origin) as origin_count,
        (select min(interval_months) from per_origin) as low,
        (select max(interval_months) from per_origin) as high,
        coalesce(
            (
                select min(month_offset) from month_shares
                where holding_share < {{ var('stability_origin_share') }}
            ) - 1,
            (select max(month_offset) from month_shares)
        ) as recommended
),

problems as (
    select 'origin ' || t0 || ' does not have one row per month 1..n' as problem
    from per_origin
    where month_count != last_month or first_month != 1
    union all
    select 'origin_count differs from the origins of segment_stability'
    from contract
    cross join expected
    where contract.origin_count != expected.origin_count
    union all
    select 'retrain_months_low/high differ from the range of the origins'' intervals'
    from contract
    cross join expected
    where contract.retrain_months_low != expected.low or contract.retrain_months_high != expected.high
    union all
    select 'recommended_retrain_months differs from the rule over origins'
    from contract
    cross join expected
    where contract.recommended_retrain_months != expected.recommended
    union all
    select 'the recommendation lies outside the range of the origins'
    from contract
    where recommended_retrain_months not between retrain_months_low and retrain_months_high
)

select * from problems
