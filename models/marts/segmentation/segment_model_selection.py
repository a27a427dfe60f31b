"""Hyper-parameter search of the KMeans segmentation: one row per (feature set, k)."""

from olist_segmentation.progress import stderr_progress
from olist_segmentation.segmentation.steps import run_model_selection
from olist_segmentation.settings import load_settings
from olist_segmentation.warehouse import read_columns, segmentation_columns


def model(dbt, session):
    dbt.config(materialized="table")
    settings = load_settings(dbt.config.get("settings")).segmentation
    customer_rfm = dbt.ref("customer_rfm")
    columns = segmentation_columns(settings.feature_sets.values(), customer_rfm.columns)
    rfm = read_columns(customer_rfm, columns, "customer_rfm")
    return run_model_selection(rfm, settings, progress=stderr_progress("segment_model_selection"))
