"""Customers moving from segment A to segment B between consecutive months of the study."""

from olist_segmentation.maintenance.history import read_study_history
from olist_segmentation.maintenance.steps import run_monthly_transitions
from olist_segmentation.segmentation.model import SegmentModel
from olist_segmentation.settings import load_settings
from olist_segmentation.warehouse import rows_kept_without_retrain


def model(dbt, session):
    dbt.config(materialized="table")
    # the study follows the champion: a build that keeps the champion keeps its rows
    decision = dbt.ref("int_segment_retrain_decision").df()
    kept = rows_kept_without_retrain(session, dbt.this, decision)
    if kept is not None:
        return kept
    settings = load_settings(dbt.config.get("settings")).stability
    reference = SegmentModel.from_relation(
        dbt.ref("int_stability_reference_model"), source="int_stability_reference_model"
    )
    history, share = read_study_history(
        dbt.ref("customer_rfm"), dbt.ref("customer_rfm_history"), reference, settings
    )
    transitions = run_monthly_transitions(history, reference, settings)
    return transitions.assign(history_sample_share=share)
