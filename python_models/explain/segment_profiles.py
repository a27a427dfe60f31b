"""One row per segment: size, revenue, feature means/medians/z-scores, description and action."""

from olist_segmentation.explain import (
    explain_settings_from_config,
    segment_profiles,
    segments_with_features,
)


def model(dbt, session):
    dbt.config(materialized="table")
    settings = explain_settings_from_config(dbt.config.get("explain_settings"))
    features = settings.profile_features
    segments = dbt.ref("customer_segments").df()
    rfm = dbt.ref("customer_rfm").df()
    categories = dbt.ref("int_customer_categories_counted").df()
    return segment_profiles(segments_with_features(segments, rfm, features), categories, features)
