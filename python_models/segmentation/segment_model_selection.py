"""Hyper-parameter search of the KMeans segmentation: one row per (feature set, k)."""

from olist_segmentation.pipeline import run_model_selection, settings_from_config, stderr_progress
from olist_segmentation.warehouse import read_columns, segmentation_columns


def model(dbt, session):
    dbt.config(materialized="table")
    settings = settings_from_config(dbt.config.get("segment_settings"))
    customer_rfm = dbt.ref("customer_rfm")
    columns = segmentation_columns(settings.feature_sets.values(), customer_rfm.columns)
    rfm = read_columns(customer_rfm, columns, "customer_rfm")
    return run_model_selection(rfm, settings, stderr_progress("segment_model_selection"))
