"""Customers moving from segment A to segment B between consecutive months of the study."""

from olist_segmentation.maintenance import (
    history_columns,
    run_monthly_transitions,
    stability_settings_from_config,
)


def model(dbt, session):
    dbt.config(materialized="table")
    settings = stability_settings_from_config(dbt.config.get("stability_settings"))
    frozen = dbt.ref("segment_centroids").df()
    history = dbt.ref("customer_rfm_history").project(", ".join(history_columns(frozen))).df()
    return run_monthly_transitions(history, frozen, settings)
