"""One row per segment: size, revenue, feature means/medians/z-scores, description and action."""

from olist_segmentation.explain.profiles import segment_profiles
from olist_segmentation.settings import load_settings
from olist_segmentation.warehouse import read_segments_with_features


def model(dbt, session):
    dbt.config(materialized="table")
    features = load_settings(dbt.config.get("settings")).explain.profile_features
    # numbers per customer from DuckDB; names, states and categories already counted per segment
    customers = read_segments_with_features(
        session,
        dbt.ref("customer_segments"),
        dbt.ref("customer_rfm"),
        features,
        extra_columns=["monetary"],
    )
    return segment_profiles(
        customers,
        dbt.ref("int_segment_labels_counted").df(),
        dbt.ref("int_segment_states_counted").df(),
        dbt.ref("int_segment_categories_counted").df(),
        features,
    )
