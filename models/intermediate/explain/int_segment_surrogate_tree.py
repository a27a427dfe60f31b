"""The surrogate decision tree of the segments, fitted once and stored one row per node."""

from olist_segmentation.explain.surrogate import (
    SurrogateOptions,
    fit_surrogate_tree,
    tree_to_table,
)
from olist_segmentation.segmentation.model import SegmentModel
from olist_segmentation.settings import load_settings
from olist_segmentation.warehouse import read_segments_with_features


def model(dbt, session):
    dbt.config(materialized="table")
    settings = load_settings(dbt.config.get("settings")).explain
    segment_model = SegmentModel.from_relation(dbt.ref("segment_centroids"))
    customers = read_segments_with_features(
        session,
        dbt.ref("customer_segments"),
        dbt.ref("customer_rfm"),
        segment_model.features,
        extra_columns=["customer_unique_id"],
    )
    tree = fit_surrogate_tree(
        customers,
        customers["segment_id"].to_numpy(),
        segment_model.features,
        options=SurrogateOptions.from_settings(settings),
    )
    return tree_to_table(tree, model_version=segment_model.version)
