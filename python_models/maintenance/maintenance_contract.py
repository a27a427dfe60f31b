"""The maintenance contract: when to retrain, derived from the stability rows."""

from olist_segmentation.maintenance import (
    run_maintenance_contract,
    stability_settings_from_config,
)


def model(dbt, session):
    dbt.config(materialized="table")
    settings = stability_settings_from_config(dbt.config.get("stability_settings"))
    stability = dbt.ref("segment_stability").df()
    reference = dbt.ref("customer_rfm").project("max(reference_date)").fetchall()[0][0]
    return run_maintenance_contract(stability, settings, computed_on=reference)
