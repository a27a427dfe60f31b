-- Every (r, f, m) combination of 1..5 must match at least one rule of the seed, so no customer
-- can end up without an rfm_segment label whatever the data.
with

scores as (
    select {{ unnest_range(1, 6) }} as score
),

combinations as (
    select
        r.score as r_score,
        f.score as f_score,
        m.score as m_score
    from scores as r cross join scores as f cross join scores as m
),

rules as (
    select * from {{ ref('rfm_segment_rules') }}
),

matches as (
    select
        combinations.r_score,
        combinations.f_score,
        combinations.m_score,
        count(rules.priority) as matching_rules
    from combinations
    left join rules
        on combinations.r_score between rules.r_min and rules.r_max
            and combinations.f_score between rules.f_min and rules.f_max
            and combinations.m_score between rules.m_min and rules.m_max
    group by all
)

select * from matches
where matching_rules = 0
