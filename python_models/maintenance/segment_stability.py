"""The stability simulation behind the maintenance contract: one row per month after t0."""

from olist_segmentation.maintenance import (
    history_columns,
    history_sample_filter,
    history_sample_share,
    run_stability_study,
    stability_settings_from_config,
)
from olist_segmentation.pipeline import stderr_progress


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
    study = run_stability_study(history, frozen, settings, stderr_progress("segment_stability"))
    return study.assign(history_sample_share=share)
