-- The registry holds exactly one champion, and it is the model customer_segments is scored with:
-- builds neither lose the registry nor duplicate a model in it.
with

registry as (
    select * from {{ ref('segment_models') }}
),

champions as (
    select model_version from registry
    where status = 'champion'
),

scoring_model as (
    select distinct model_version from {{ ref('segment_centroids') }}
),

problems as (
    select 'champions in marts.segment_models: ' || count(*) as problem
    from champions
    having count(*) != 1
    union all
    select
        'customer_segments is scored with ' || scoring_model.model_version
        || ', which is not the registry champion' as problem
    from scoring_model
    where scoring_model.model_version not in (select champions.model_version from champions)
    union all
    -- the champion only: a retired model whose parameters were deleted by hand cannot be rolled
    -- back to (make export-model says so), but an import that replaced it must not fail forever
    select
        'champion ' || registry.model_version || ' is in the registry without parameters'
            as problem
    from registry
    where
        registry.status = 'champion'
        and registry.model_version not in (
            select parameters.model_version from {{ ref('segment_model_parameters') }} as parameters
        )
)

select * from problems
