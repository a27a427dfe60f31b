-- Exactly one configuration is chosen, its k lies in segment_k_min..segment_k_max, it is the
-- configuration of the fitted model (a model loaded from var segment_frozen_model_file was chosen
-- on other data, so it may differ), and its metrics are in their mathematical ranges.
with

selection as (
    select * from {{ ref('segment_model_selection') }}
),

chosen as (
    select * from selection
    where is_chosen
),

frozen_model as (
    select distinct
        k,
        feature_set
    from {{ ref('segment_centroids') }}
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
    union all
    select 'fitted model differs from the chosen configuration' as problem
    from frozen_model
    anti join chosen
        on frozen_model.k = chosen.k
            and frozen_model.feature_set = chosen.feature_set
    where {{ 'true' if var('segment_frozen_model_file') is none else 'false' }}
)

select * from problems
