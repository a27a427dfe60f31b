"""Permutation importance of the surrogate tree: which features the segments depend on."""

from olist_segmentation.explain import (
    explain_settings_from_config,
    feature_importance,
    frozen_model_features,
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
    return feature_importance(
        customers,
        customers["segment_id"].to_numpy(),
        features,
        seed=settings.seed,
        sample_size=settings.importance_sample_size,
        max_depth=settings.surrogate_max_depth,
        fit_sample_size=settings.surrogate_sample_size,
        model_version=str(frozen["model_version"].iloc[0]),
    )
