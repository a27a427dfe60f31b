{#- The Kaggle header misspells "length" as "lenght": renamed here, once. -#}
{{ stage_with_rejects(
    source_relation=source('olist', 'olist_products_dataset'),
    columns=[
        {'name': 'product_id', 'type': 'text', 'required': true},
        {'name': 'product_category_name', 'as': 'product_category_name', 'type': 'text'},
        {'name': 'product_name_lenght', 'as': 'product_name_length', 'type': 'integer'},
        {'name': 'product_description_lenght', 'as': 'product_description_length', 'type': 'integer'},
        {'name': 'product_photos_qty', 'as': 'product_photo_count', 'type': 'integer'},
        {'name': 'product_weight_g', 'type': 'double'},
        {'name': 'product_length_cm', 'type': 'double'},
        {'name': 'product_height_cm', 'type': 'double'},
        {'name': 'product_width_cm', 'type': 'double'},
    ],
    key_columns=['product_id'],
) }}
