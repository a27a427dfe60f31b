"""Every customer of customer_rfm assigned to the nearest centroid of the frozen model."""

from olist_segmentation.pipeline import score_customers


def model(dbt, session):
    dbt.config(materialized="table")
    rfm = dbt.ref("customer_rfm").df()
    frozen = dbt.ref("segment_centroids").df()
    return score_customers(rfm, frozen)
