{#- MetricFlow's time spine: one row per day, wide enough for any Olist-like data (2010 to 2040).
    MetricFlow joins it for metric_time and for cumulative or gap-filled metrics. -#}
with

days as (
    select cast(unnest(generate_series(date '2010-01-01', date '2040-12-31', interval 1 day)) as date) as date_day
),

final as (
    select date_day
    from days
)

select * from final
order by date_day
