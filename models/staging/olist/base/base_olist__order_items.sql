{{ stage_with_rejects(
    source_relation=source('olist', 'olist_order_items_dataset'),
    columns=[
        {'name': 'order_id', 'type': 'text', 'required': true},
        {'name': 'order_item_id', 'type': 'integer', 'required': true},
        {'name': 'product_id', 'type': 'text', 'required': true},
        {'name': 'seller_id', 'type': 'text', 'required': true},
        {'name': 'shipping_limit_date', 'as': 'shipping_limit_at', 'type': 'timestamp'},
        {'name': 'price', 'type': 'money', 'required': true},
        {'name': 'freight_value', 'type': 'money', 'required': true},
    ],
    key_columns=['order_id', 'order_item_id'],
    checks=[
        {'when': "price < 0", 'reason': 'price: expected a non-negative amount'},
        {'when': "freight_value < 0", 'reason': 'freight_value: expected a non-negative amount'},
        {'when': "order_item_id < 1", 'reason': 'order_item_id: expected 1 or more'},
    ],
) }}
