{#- The Kaggle header misspells "length" as "lenght": renamed once, by staged_as in the source. -#}
{{ stage_with_rejects(source('olist', 'olist_products_dataset')) }}
