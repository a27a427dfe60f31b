{#- review_id repeats across orders in the real data: the key is (review_id, order_id). -#}
{{ stage_with_rejects(
    source_relation=source('olist', 'olist_order_reviews_dataset'),
    columns=[
        {'name': 'review_id', 'type': 'text', 'required': true},
        {'name': 'order_id', 'type': 'text', 'required': true},
        {'name': 'review_score', 'type': 'integer', 'required': true},
        {'name': 'review_comment_title', 'type': 'text'},
        {'name': 'review_comment_message', 'type': 'text'},
        {'name': 'review_creation_date', 'as': 'review_created_at', 'type': 'timestamp'},
        {'name': 'review_answer_timestamp', 'as': 'review_answered_at', 'type': 'timestamp'},
    ],
    key_columns=['review_id', 'order_id'],
    checks=[
        {'when': "review_score not between 1 and 5", 'reason': 'review_score: expected an integer from 1 to 5'},
    ],
) }}
