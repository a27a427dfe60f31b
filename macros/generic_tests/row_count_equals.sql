{#- Fails when the model's row count differs from `compare_model`'s (optionally filtered). -#}
{% test row_count_equals(model, compare_model, compare_where=none) %}
with
model_rows as (select count(*) as row_count from {{ model }}),
compare_rows as (
    select count(*) as row_count from {{ compare_model }}
    {%- if compare_where %} where {{ compare_where }}{% endif %}
)
select model_rows.row_count as model_row_count, compare_rows.row_count as expected_row_count
from model_rows cross join compare_rows
where model_rows.row_count != compare_rows.row_count
{% endtest %}
