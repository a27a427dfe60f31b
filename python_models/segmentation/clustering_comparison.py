"""KMeans against agglomerative clustering (ward, average, complete) and Gaussian mixtures."""

from olist_segmentation.explain import frozen_model_features
from olist_segmentation.pipeline import run_comparison, settings_from_config
from olist_segmentation.warehouse import read_columns


def model(dbt, session):
    dbt.config(materialized="table")
    settings = settings_from_config(dbt.config.get("segment_settings"))
    frozen = dbt.ref("segment_centroids").df()
    columns = ["customer_unique_id", *frozen_model_features(frozen)]
    rfm = read_columns(dbt.ref("customer_rfm"), columns, "customer_rfm")
    return run_comparison(rfm, frozen, settings)
