"""Every customer of customer_rfm assigned to the nearest centroid of the frozen model."""

from olist_segmentation.explain import frozen_model_features
from olist_segmentation.pipeline import score_customers
from olist_segmentation.warehouse import read_columns


def model(dbt, session):
    dbt.config(materialized="table")
    frozen = dbt.ref("segment_centroids").df()
    columns = ["customer_unique_id", *frozen_model_features(frozen)]
    rfm = read_columns(dbt.ref("customer_rfm"), columns, "customer_rfm")
    return score_customers(rfm, frozen)
