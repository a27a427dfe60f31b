{#- Segment moves recorded by the customer_segments snapshot: one row per (change date, from, to,
    cause) with from != to. A move under the same champion comes from the customer's own
    behaviour; a move where the model version changed comes from a retrain. -#}
with

segment_versions as (
    select * from {{ ref('customer_segments_snapshot') }}
),

ordered_versions as (
    select
        customer_unique_id,
        segment_id,
        model_version,
        dbt_valid_from,
        lag(segment_id) over (
            partition by customer_unique_id order by dbt_valid_from
        ) as previous_segment_id,
        lag(model_version) over (
            partition by customer_unique_id order by dbt_valid_from
        ) as previous_model_version
    from segment_versions
),

moves as (
    select
        cast(dbt_valid_from as date) as changed_on,
        previous_segment_id as from_segment_id,
        segment_id as to_segment_id,
        case when model_version = previous_model_version then 'behaviour' else 'retrain' end
            as move_cause,
        model_version
    from ordered_versions
    where previous_segment_id is not null and previous_segment_id != segment_id
),

final as (
    select
        changed_on,
        from_segment_id,
        to_segment_id,
        move_cause,
        model_version,
        count(*) as customer_count
    from moves
    group by changed_on, from_segment_id, to_segment_id, move_cause, model_version
)

select * from final
order by changed_on, from_segment_id, to_segment_id
