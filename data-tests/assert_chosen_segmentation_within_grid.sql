-- Exactly one configuration is chosen, its k lies in segment_k_min..segment_k_max, and its metrics
-- are in their mathematical ranges. (A champion that the search would not choose today is a
-- warning, assert_champion_is_what_the_search_chooses, never a failed build.)
with

selection as (
    select * from {{ ref('segment_model_selection') }}
),

chosen as (
    select * from selection
    where is_chosen
),

problems as (
    select 'chosen rows: ' || count(*) as problem
    from chosen
    having count(*) != 1
    union all
    select 'k outside the searched grid: ' || k as problem
    from chosen
    where k not between {{ var('segment_k_min') }} and {{ var('segment_k_max') }}
    union all
    select 'metric out of range for k=' || k as problem
    from selection
    where silhouette not between -1 and 1
        or bootstrap_ari not between -1 and 1
        or davies_bouldin < 0
        or min_segment_share not between 0 and 1
)

select * from problems
