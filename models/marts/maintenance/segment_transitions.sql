{#- segment_transitions for BI tools, under an enforced contract: the rows of the Python
    model segment_transitions_computed, which cannot carry a contract, each column cast to the
    type its contract declares (macro contract_column_casts). -#}
with

computed as (
    select * from {{ ref('segment_transitions_computed') }}
),

final as (
    select
        {{ contract_column_casts() }}
    from computed
)

select * from final
