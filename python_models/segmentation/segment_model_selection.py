"""Hyper-parameter search of the KMeans segmentation: one row per (feature set, k)."""

from olist_segmentation.pipeline import run_model_selection, settings_from_config, stderr_progress


def model(dbt, session):
    dbt.config(materialized="table")
    settings = settings_from_config(dbt.config.get("segment_settings"))
    rfm = dbt.ref("customer_rfm").df()
    return run_model_selection(rfm, settings, stderr_progress("segment_model_selection"))
