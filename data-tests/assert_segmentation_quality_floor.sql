-- Quality floor (a warning, not an error): the chosen configuration's silhouette should reach
-- var segment_silhouette_floor; below it the segments overlap a lot and deserve a second look.
{{ config(severity='warn') }}

select
    feature_set,
    k,
    silhouette
from {{ ref('segment_model_selection') }}
where is_chosen and silhouette < {{ var('segment_silhouette_floor') }}
