{#- review_id repeats across orders in the real data: the key is (review_id, order_id), the primary_key
    of the source. -#}
{{ stage_with_rejects(
    source('olist', 'olist_order_reviews_dataset'),
    checks=[
        {'when': "review_score not between 1 and 5", 'reason': 'review_score: expected an integer from 1 to 5'},
    ],
) }}
