{{ stage_with_rejects(
    source('olist', 'olist_order_payments_dataset'),
    checks=[
        {'when': "payment_value < 0", 'reason': 'payment_value: expected a non-negative amount'},
        {'when': "payment_installments < 0", 'reason': 'payment_installments: expected 0 or more'},
    ],
) }}
