{{ stage_with_rejects(
    source_relation=source('olist', 'olist_sellers_dataset'),
    columns=[
        {'name': 'seller_id', 'type': 'text', 'required': true},
        {'name': 'seller_zip_code_prefix', 'type': 'text'},
        {'name': 'seller_city', 'type': 'text'},
        {'name': 'seller_state', 'type': 'text'},
    ],
    key_columns=['seller_id'],
) }}
