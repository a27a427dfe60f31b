{{ stage_with_rejects(
    source_relation=source('olist', 'olist_order_payments_dataset'),
    columns=[
        {'name': 'order_id', 'type': 'text', 'required': true},
        {'name': 'payment_sequential', 'type': 'integer', 'required': true},
        {'name': 'payment_type', 'type': 'text', 'required': true},
        {'name': 'payment_installments', 'type': 'integer'},
        {'name': 'payment_value', 'type': 'money', 'required': true},
    ],
    key_columns=['order_id', 'payment_sequential'],
    checks=[
        {'when': "payment_value < 0", 'reason': 'payment_value: expected a non-negative amount'},
        {'when': "payment_installments < 0", 'reason': 'payment_installments: expected 0 or more'},
    ],
) }}
