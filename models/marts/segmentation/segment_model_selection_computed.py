"""Hyper-parameter search of the KMeans segmentation: one row per (feature set, k).

The search runs on a first build and on a reselect (var segment_reselect); other builds keep the
last search's rows, since they refit the champion's own configuration or nothing at all.
"""

from olist_segmentation.progress import stderr_progress
from olist_segmentation.segmentation.steps import run_model_selection
from olist_segmentation.settings import load_settings
from olist_segmentation.warehouse import previous_rows, read_columns, segmentation_columns


def model(dbt, session):
    dbt.config(materialized="table")
    settings = load_settings(dbt.config.get("settings")).segmentation
    decision = dbt.ref("int_segment_retrain_decision").df().iloc[0]
    if not bool(decision["reselect"]):
        kept = previous_rows(session, dbt.this)
        if kept is not None:
            return kept
    customer_rfm = dbt.ref("customer_rfm")
    columns = segmentation_columns(settings.feature_sets.values(), customer_rfm.columns)
    rfm = read_columns(customer_rfm, columns, "customer_rfm")
    return run_model_selection(rfm, settings, progress=stderr_progress("segment_model_selection"))
