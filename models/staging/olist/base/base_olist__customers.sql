{{ stage_with_rejects(
    source('olist', 'olist_customers_dataset'),
    checks=[
        {'when': "customer_zip_code_prefix is not null and not " ~ regexp_full_match('customer_zip_code_prefix', "'[0-9]{5}'"),
         'reason': 'customer_zip_code_prefix: expected 5 digits with leading zeros'},
        {'when': "not " ~ regexp_full_match('customer_state', "'[A-Za-z]{2}'"),
         'reason': 'customer_state: expected a two-letter state code'},
    ],
) }}
