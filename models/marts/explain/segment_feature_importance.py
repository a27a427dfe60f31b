"""Permutation importance of the surrogate tree: which features the segments depend on."""

from olist_segmentation.explain.importance import feature_importance
from olist_segmentation.explain.surrogate import tree_from_table
from olist_segmentation.segmentation.model import SegmentModel
from olist_segmentation.settings import load_settings
from olist_segmentation.warehouse import read_segments_with_features


def model(dbt, session):
    dbt.config(materialized="table")
    settings = load_settings(dbt.config.get("settings")).explain
    segment_model = SegmentModel.from_relation(dbt.ref("segment_centroids"))
    tree = tree_from_table(
        dbt.ref("int_segment_surrogate_tree").df(),
        segment_model.features,
        model_version=segment_model.version,
    )
    customers = read_segments_with_features(
        session,
        dbt.ref("customer_segments"),
        dbt.ref("customer_rfm"),
        segment_model.features,
        extra_columns=["customer_unique_id"],
    )
    return feature_importance(
        customers,
        customers["segment_id"].to_numpy(),
        tree,
        sample_size=settings.importance_sample_size,
        seed=settings.seed,
        model_version=segment_model.version,
    )
