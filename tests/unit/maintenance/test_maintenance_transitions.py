"""Monthly segment-to-segment transitions under the study's frozen reference model."""

from __future__ import annotations

import pandas as pd
import pytest
from maintenance_histories import FEATURES, SEED, T0, month
from sklearn.metrics import adjusted_rand_score

from olist_segmentation.maintenance.reference import StudyOptions, fit_reference_model
from olist_segmentation.maintenance.transitions import TRANSITION_COLUMNS, monthly_transitions


def test_monthly_transitions_count_customers_known_at_both_dates(
    drifting_history: pd.DataFrame,
) -> None:
    reference = fit_reference_model(
        drifting_history, features=FEATURES, log1p_features=["monetary"], k=3, seed=SEED, t0=T0
    )
    transitions = monthly_transitions(
        drifting_history,
        params=reference.params,
        centroids=reference.centroids,
        t0=T0,
        options=StudyOptions(max_months=7),
    )
    assert list(transitions.columns) == TRANSITION_COLUMNS
    totals = transitions.groupby(["from_month_offset", "to_month_offset"])["customer_count"].sum()
    # everyone known at the earlier date is still there: 600 at t0, then 600 + 20 (m - 1)
    expected = {(m - 1, m): 600 + 20 * (m - 1) for m in range(1, 8)}
    assert totals.to_dict() == expected
    assert len(transitions) == 7 * 3 * 3  # full k x k grid per month pair

    # the same labels as the study: changes between t0 and t0+1 are the study's changed_share
    first = transitions[transitions["to_month_offset"] == 1]
    stayed = first.loc[first["from_segment_id"] == first["to_segment_id"], "customer_count"].sum()
    assert stayed == 600  # nothing moves in the first month
    # month 2 -> 3: group A (200 at t0 plus the A newcomers of months 1, 2) jumps to B's segment
    at_month_2 = drifting_history[drifting_history["snapshot_date"] == month(2)]
    jump = transitions[(transitions["to_month_offset"] == 3)]
    moved = jump.loc[jump["from_segment_id"] != jump["to_segment_id"], "customer_count"].sum()
    assert moved == pytest.approx((at_month_2["group"] == 0).sum(), abs=3)


def test_monthly_transitions_of_static_data_stay_on_the_diagonal(
    static_history: pd.DataFrame,
) -> None:
    reference = fit_reference_model(
        static_history, features=FEATURES, log1p_features=[], k=3, seed=SEED, t0=T0
    )
    transitions = monthly_transitions(
        static_history,
        params=reference.params,
        centroids=reference.centroids,
        t0=T0,
        segment_ids=[10, 20, 30],
    )
    off_diagonal = transitions["from_segment_id"] != transitions["to_segment_id"]
    assert (transitions.loc[off_diagonal, "customer_count"] == 0).all()
    assert set(transitions["from_segment_id"]) == {10, 20, 30}
    # frozen labels of the study sample agree with the reference fit (same rows at t0)
    t0_rows = static_history[static_history["snapshot_date"] == T0]
    assert adjusted_rand_score(t0_rows["group"], reference.labels) == pytest.approx(1.0)


def test_monthly_transitions_reject_mismatched_models(static_history: pd.DataFrame) -> None:
    reference = fit_reference_model(
        static_history, features=FEATURES, log1p_features=[], k=3, seed=SEED, t0=T0
    )
    with pytest.raises(ValueError, match="centroids must be k x 2"):
        monthly_transitions(
            static_history, params=reference.params, centroids=reference.centroids[:, :1], t0=T0
        )
    with pytest.raises(ValueError, match="segment_ids has 2 entries for 3 centroids"):
        monthly_transitions(
            static_history,
            params=reference.params,
            centroids=reference.centroids,
            t0=T0,
            segment_ids=[1, 2],
        )
