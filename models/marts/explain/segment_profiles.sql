{#- segment_profiles for BI tools, under an enforced contract: the rows of the Python model
    segment_profiles_computed (a Python model cannot carry a contract) with their types fixed. -#}
with

computed as (
    select * from {{ ref('segment_profiles_computed') }}
),

final as (
    select
        cast(segment_id as bigint) as segment_id,
        cast(segment_name as varchar) as segment_name,
        cast(model_version as varchar) as model_version,
        cast(customer_count as bigint) as customer_count,
        cast(customer_share as double) as customer_share,
        cast(revenue as double) as revenue,
        cast(revenue_share as double) as revenue_share,
        cast(top_states as varchar) as top_states,
        cast(top_categories as varchar) as top_categories,
        cast(description as varchar) as description,
        cast(suggested_action as varchar) as suggested_action
    from computed
)

select * from final
