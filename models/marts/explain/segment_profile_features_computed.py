"""One row per segment and profile feature: mean, median and z-score of the segment."""

from olist_segmentation.explain.profiles import profile_feature_rows
from olist_segmentation.settings import load_settings
from olist_segmentation.warehouse import read_segments_with_features


def model(dbt, session):
    dbt.config(materialized="table")
    features = load_settings(dbt.config.get("settings")).explain.profile_features
    customers = read_segments_with_features(
        session, dbt.ref("customer_segments"), dbt.ref("customer_rfm"), features
    )
    return profile_feature_rows(customers, dbt.ref("int_segment_labels_counted").df(), features)
