{{ stage_with_rejects(
    source_relation=source('olist', 'olist_orders_dataset'),
    columns=[
        {'name': 'order_id', 'type': 'text', 'required': true},
        {'name': 'customer_id', 'type': 'text', 'required': true},
        {'name': 'order_status', 'type': 'text', 'required': true},
        {'name': 'order_purchase_timestamp', 'as': 'purchased_at', 'type': 'timestamp', 'required': true},
        {'name': 'order_approved_at', 'as': 'approved_at', 'type': 'timestamp'},
        {'name': 'order_delivered_carrier_date', 'as': 'delivered_to_carrier_at', 'type': 'timestamp'},
        {'name': 'order_delivered_customer_date', 'as': 'delivered_to_customer_at', 'type': 'timestamp'},
        {'name': 'order_estimated_delivery_date', 'as': 'estimated_delivery_at', 'type': 'timestamp'},
    ],
    key_columns=['order_id'],
    checks=[
        {'when': "lower(order_status) not in ('delivered', 'shipped', 'canceled', 'unavailable', 'invoiced', 'processing', 'created', 'approved')",
         'reason': 'order_status: expected one of delivered, shipped, canceled, unavailable, invoiced, processing, created, approved'},
        {'when': "delivered_to_customer_at < purchased_at",
         'reason': 'order_delivered_customer_date: delivered before order_purchase_timestamp'},
    ],
) }}
