{{ stage_with_rejects(source('olist', 'product_category_name_translation')) }}
