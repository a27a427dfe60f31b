"""The stability simulation behind the maintenance contract: one row per month after t0."""

from olist_segmentation.maintenance import (
    read_study_history,
    run_stability_study,
    stability_settings_from_config,
)
from olist_segmentation.pipeline import stderr_progress


def model(dbt, session):
    dbt.config(materialized="table")
    settings = stability_settings_from_config(dbt.config.get("stability_settings"))
    frozen = dbt.ref("segment_centroids").df()
    history, share = read_study_history(
        dbt.ref("customer_rfm"), dbt.ref("customer_rfm_history"), frozen, settings
    )
    study = run_stability_study(history, frozen, settings, stderr_progress("segment_stability"))
    return study.assign(history_sample_share=share)
