{{ stage_with_rejects(source('olist', 'olist_sellers_dataset')) }}
