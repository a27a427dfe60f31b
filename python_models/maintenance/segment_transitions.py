"""Customers moving from segment A to segment B between consecutive months of the study."""

from olist_segmentation.maintenance import (
    read_study_history,
    run_monthly_transitions,
    stability_settings_from_config,
)


def model(dbt, session):
    dbt.config(materialized="table")
    settings = stability_settings_from_config(dbt.config.get("stability_settings"))
    frozen = dbt.ref("segment_centroids").df()
    history, share = read_study_history(
        dbt.ref("customer_rfm"), dbt.ref("customer_rfm_history"), frozen, settings
    )
    transitions = run_monthly_transitions(history, frozen, settings)
    return transitions.assign(history_sample_share=share)
