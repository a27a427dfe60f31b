"""Customers moving from segment A to segment B between consecutive months of the study."""

from olist_segmentation.maintenance import (
    history_columns,
    history_sample_filter,
    history_sample_share,
    run_monthly_transitions,
    stability_settings_from_config,
)


def model(dbt, session):
    dbt.config(materialized="table")
    settings = stability_settings_from_config(dbt.config.get("stability_settings"))
    frozen = dbt.ref("segment_centroids").df()
    customers = dbt.ref("customer_rfm").project("count(*)").fetchall()[0][0]
    share = history_sample_share(customers, settings)
    history = (
        dbt.ref("customer_rfm_history")
        .filter(history_sample_filter(share))
        .project(", ".join(history_columns(frozen)))
        .df()
    )
    transitions = run_monthly_transitions(history, frozen, settings)
    return transitions.assign(history_sample_share=share)
