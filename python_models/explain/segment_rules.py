"""Readable decision rules (a surrogate tree) that reproduce the k-means segments."""

from olist_segmentation.explain import (
    explain_settings_from_config,
    frozen_model_features,
    segment_name_map,
    surrogate_rules,
)
from olist_segmentation.warehouse import read_segments_with_features


def model(dbt, session):
    dbt.config(materialized="table")
    settings = explain_settings_from_config(dbt.config.get("explain_settings"))
    frozen = dbt.ref("segment_centroids").df()
    features = frozen_model_features(frozen)
    customers = read_segments_with_features(
        session, dbt.ref("customer_segments"), dbt.ref("customer_rfm"), features
    )
    rules, _ = surrogate_rules(
        customers,
        customers["segment_id"].to_numpy(),
        segment_name_map(frozen),
        features,
        max_depth=settings.surrogate_max_depth,
        seed=settings.seed,
        sample_size=settings.surrogate_sample_size,
        model_version=str(frozen["model_version"].iloc[0]),
    )
    return rules
