{{ stage_with_rejects(
    source('olist', 'olist_order_items_dataset'),
    checks=[
        {'when': "price < 0", 'reason': 'price: expected a non-negative amount'},
        {'when': "freight_value < 0", 'reason': 'freight_value: expected a non-negative amount'},
        {'when': "order_item_id < 1", 'reason': 'order_item_id: expected 1 or more'},
    ],
) }}
