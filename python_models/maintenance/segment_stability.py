"""The stability simulation behind the maintenance contract: one row per month after t0."""

from olist_segmentation.maintenance import (
    history_columns,
    run_stability_study,
    stability_settings_from_config,
)
from olist_segmentation.pipeline import stderr_progress


def model(dbt, session):
    dbt.config(materialized="table")
    settings = stability_settings_from_config(dbt.config.get("stability_settings"))
    frozen = dbt.ref("segment_centroids").df()
    history = dbt.ref("customer_rfm_history").project(", ".join(history_columns(frozen))).df()
    return run_stability_study(history, frozen, settings, stderr_progress("segment_stability"))
