"""The maintenance contract: when to retrain, derived from the stability rows."""

from olist_segmentation.maintenance.steps import run_maintenance_contract
from olist_segmentation.settings import load_settings


def model(dbt, session):
    dbt.config(materialized="table")
    settings = load_settings(dbt.config.get("settings")).stability
    stability = dbt.ref("segment_stability").df()
    feature_psi = dbt.ref("segment_stability_feature_psi").df()
    reference = dbt.ref("customer_rfm").project("max(reference_date)").fetchall()[0][0]
    return run_maintenance_contract(stability, feature_psi, settings, computed_on=reference)
