{{ stage_with_rejects(
    source('olist', 'olist_orders_dataset'),
    checks=[
        {'when': "lower(order_status) not in ('delivered', 'shipped', 'canceled', 'unavailable', 'invoiced', 'processing', 'created', 'approved')",
         'reason': 'order_status: expected one of delivered, shipped, canceled, unavailable, invoiced, processing, created, approved'},
        {'when': "delivered_to_customer_at < purchased_at",
         'reason': 'order_delivered_customer_date: delivered before order_purchase_timestamp'},
    ],
) }}
