"""The stability study's reference model: the segment model's configuration fitted at t0.

Fitted once, here, and stored in the shape of segment_centroids; the study
(int_segment_stability_measured) and segment_transitions both label with it.
"""

from olist_segmentation.maintenance.history import read_study_history
from olist_segmentation.maintenance.steps import fit_stability_reference
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
    segment_model = SegmentModel.from_relation(dbt.ref("segment_centroids"))
    history, _ = read_study_history(
        dbt.ref("customer_rfm"), dbt.ref("customer_rfm_history"), segment_model, settings
    )
    return fit_stability_reference(history, segment_model, settings).to_table()
