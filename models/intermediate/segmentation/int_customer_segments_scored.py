"""Every customer of customer_rfm assigned to the nearest centroid of the segment model."""

from olist_segmentation.segmentation.model import SegmentModel
from olist_segmentation.segmentation.steps import score_customers
from olist_segmentation.warehouse import read_columns


def model(dbt, session):
    dbt.config(materialized="table")
    segment_model = SegmentModel.from_relation(dbt.ref("segment_centroids"))
    columns = ["customer_unique_id", *segment_model.features]
    rfm = read_columns(dbt.ref("customer_rfm"), columns, "customer_rfm")
    return score_customers(rfm, segment_model)
