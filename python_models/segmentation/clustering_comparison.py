"""KMeans against agglomerative clustering (ward, average, complete) and Gaussian mixtures."""

from olist_segmentation.pipeline import run_comparison, settings_from_config


def model(dbt, session):
    dbt.config(materialized="table")
    settings = settings_from_config(dbt.config.get("segment_settings"))
    rfm = dbt.ref("customer_rfm").df()
    frozen = dbt.ref("segment_centroids").df()
    return run_comparison(rfm, frozen, settings)
