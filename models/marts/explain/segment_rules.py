"""Readable decision rules (the surrogate tree) that reproduce the k-means segments."""

from olist_segmentation.explain.rules import surrogate_rules
from olist_segmentation.explain.surrogate import tree_from_table
from olist_segmentation.segmentation.model import SegmentModel
from olist_segmentation.warehouse import read_segments_with_features


def model(dbt, session):
    dbt.config(materialized="table")
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
    rules, _ = surrogate_rules(
        customers,
        customers["segment_id"].to_numpy(),
        segment_model.segment_names,
        tree,
        model_version=segment_model.version,
    )
    return rules
