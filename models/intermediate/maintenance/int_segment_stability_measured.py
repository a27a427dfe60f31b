"""The stability simulation behind the maintenance contract: one row per month, measure and item.

The study (the expensive part) runs once, here, with the reference model fitted once in
int_stability_reference_model; segment_stability and its long companions
(segment_stability_feature_psi, segment_stability_segment_shares) are SQL views of these rows.
"""

from olist_segmentation.maintenance.history import read_study_history
from olist_segmentation.maintenance.steps import run_stability_study, stability_measures
from olist_segmentation.progress import stderr_progress
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
    study = run_stability_study(
        history, reference, settings, progress=stderr_progress("segment_stability")
    )
    return stability_measures(study, history_sample_share=share)
