{{ stage_with_rejects(
    source_relation=source('olist', 'product_category_name_translation'),
    columns=[
        {'name': 'product_category_name', 'type': 'text', 'required': true},
        {'name': 'product_category_name_english', 'type': 'text', 'required': true},
    ],
    key_columns=['product_category_name'],
) }}
