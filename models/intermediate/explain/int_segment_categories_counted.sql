{#- Customers per (segment, product category) who bought in the category: the top categories of
    the segment profiles. A customer counts once per category whatever the number of orders. -#}
with

segments as (
    select * from {{ ref('customer_segments') }}
),

customer_categories as (
    select * from {{ ref('int_customer_categories_counted') }}
),

segmented_purchases as (
    select
        cast(segments.segment_id as bigint) as segment_id,
        customer_categories.product_category,
        customer_categories.customer_unique_id
    from customer_categories
    inner join segments
        on customer_categories.customer_unique_id = segments.customer_unique_id
    where
        segments.segment_id is not null
        and customer_categories.product_category is not null
),

final as (
    select
        segment_id,
        product_category,
        count(distinct customer_unique_id) as customer_count
    from segmented_purchases
    group by segment_id, product_category
)

select * from final
order by segment_id, product_category
