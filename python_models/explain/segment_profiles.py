"""One row per segment: size, revenue, feature means/medians/z-scores, description and action."""

from olist_segmentation.explain import explain_settings_from_config, segment_profiles
from olist_segmentation.warehouse import (
    count_category_customers,
    count_state_customers,
    read_segment_labels,
    read_segments_with_features,
)


def model(dbt, session):
    dbt.config(materialized="table")
    settings = explain_settings_from_config(dbt.config.get("explain_settings"))
    features = settings.profile_features
    segments, rfm = dbt.ref("customer_segments"), dbt.ref("customer_rfm")
    # numbers per customer, text per segment: DuckDB counts states and categories
    customers = read_segments_with_features(
        session, segments, rfm, features, extra_columns=["monetary"]
    )
    return segment_profiles(
        customers,
        read_segment_labels(session, segments),
        count_state_customers(session, segments, rfm),
        count_category_customers(session, segments, dbt.ref("int_customer_categories_counted")),
        features,
    )
