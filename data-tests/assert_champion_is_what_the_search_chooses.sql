{{ config(severity='warn') }}
-- The champion is kept between retrains, and the data moves: when the search (last run at the
-- last reselect) chose another configuration than the champion's, this warns with both, so that
-- someone decides whether to reselect (`make retrain DBT_ARGS="--vars '{segment_reselect: true}'"`).
with

champion as (
    select distinct
        model_version,
        feature_set,
        k
    from {{ ref('segment_centroids') }}
),

chosen as (
    select
        feature_set,
        k
    from {{ ref('segment_model_selection') }}
    where is_chosen
),

final as (
    select
        'champion ' || champion.model_version || ' uses feature_set=' || champion.feature_set
        || ' k=' || champion.k || ' but the search chooses feature_set=' || chosen.feature_set
        || ' k=' || chosen.k as warning
    from champion
    cross join chosen
    where champion.feature_set != chosen.feature_set or champion.k != chosen.k
)

select * from final
