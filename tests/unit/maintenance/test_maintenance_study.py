"""The stability study on synthetic histories with a known answer: decay, noise floor, drift."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest
from contract_sql import contract_row, run_contract_models
from maintenance_histories import FEATURES, SEED, T0, groups, jump_history, month, stack_months

from olist_segmentation.maintenance.reference import StudyOptions, fit_reference_model
from olist_segmentation.maintenance.study import stability_columns, stability_study
from olist_segmentation.segmentation.transform import fit_transform


def study(
    history: pd.DataFrame,
    *,
    k: int = 3,
    t0: Any = T0,
    features: list[str] = FEATURES,
    log1p_features: list[str] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """The study of ``history`` with the test defaults; ``options`` are StudyOptions fields."""
    return stability_study(
        history,
        features=features,
        log1p_features=log1p_features or [],
        k=k,
        seed=SEED,
        t0=t0,
        options=StudyOptions(**options),
    )


def test_static_history_keeps_the_whole_window_with_a_floor_near_one(
    static_study: pd.DataFrame,
) -> None:
    assert list(static_study.columns) == stability_columns(FEATURES)
    assert static_study["month_offset"].tolist() == [1, 2, 3, 4, 5]
    assert static_study["snapshot_date"].tolist() == [month(m) for m in range(1, 6)]
    assert static_study["ari_frozen_vs_refit"].tolist() == pytest.approx([1.0] * 5)
    assert (static_study["changed_share"] == 0.0).all()
    assert static_study["max_share_drift"].tolist() == pytest.approx([0.0] * 5)
    for column in ["psi_recency_days", "psi_monetary", "max_psi"]:
        assert static_study[column].tolist() == pytest.approx([0.0] * 5, abs=1e-12)
    assert (static_study["known_at_t0_customer_count"] == 450).all()
    # three tight, well separated groups: other samples and other seeds find the same partition
    assert static_study["noise_floor_ari_low"].min() > 0.99
    assert static_study["noise_floor_seed_ari"].min() > 0.99

    row = contract_row(static_study)
    assert row["recommended_retrain_months"] == 5
    assert (row["retrain_months_low"], row["retrain_months_high"]) == (5, 5)
    assert bool(row["ari_never_below_threshold"])
    assert row["noise_floor_ari"] > 0.99
    assert row["drift_alerts"] == "none"
    assert "capped by the history" in row["caveats"]
    assert row["contract_summary"] == "retrain every 5 months (range 5–5 over 1 starting months)"


def test_clusters_that_move_after_month_three_give_a_three_month_interval() -> None:
    history = jump_history(jump_month=4, months=9)
    result = study(history, max_months=8)
    ari = result.set_index("month_offset")["ari_frozen_vs_refit"]
    assert (ari.loc[1:3] > 0.99).all()
    assert (ari.loc[4:] < 0.8).all()
    # the decay is drift, not noise: the floor stays near 1 at every date
    assert result["noise_floor_ari_low"].min() > 0.95
    row = contract_row(result)
    assert row["recommended_retrain_months"] == 3
    assert row["first_month_below_threshold"] == 4
    assert not bool(row["ari_never_below_threshold"])
    assert "segment shares: median drift over origins >= 0.05 from month 4" in row["drift_alerts"]


@pytest.mark.parametrize(("origin_share", "expected"), [(0.8, 2), (0.7, 3), (0.25, 5)])
def test_several_origins_give_the_range_and_the_share_rule(
    origin_share: float, expected: int
) -> None:
    """The jump is at month 6: origins at months 0..3 hold 5, 4, 3 and 2 months."""
    history = jump_history(jump_month=6, months=10)
    result = study(history, t0=[month(m) for m in range(4)], max_months=12)
    assert result.groupby("t0")["month_offset"].max().tolist() == [9, 8, 7, 6]
    models = run_contract_models(result, stability_origin_share=origin_share)
    by_origin = models["maintenance_contract_by_origin"].set_index("t0")["retrain_months"]
    assert by_origin.tolist() == [5, 4, 3, 2]
    row = models["maintenance_contract"].iloc[0]
    assert row["origin_count"] == 4
    assert (row["retrain_months_low"], row["retrain_months_high"]) == (2, 5)
    assert row["recommended_retrain_months"] == expected
    assert row["contract_summary"] == (
        f"retrain every {expected} months (range 2–5 over 4 starting months)"
    )
    by_month = models["maintenance_contract_by_month"].set_index("month_offset")
    assert by_month.loc[3, "holding_origin_share"] == pytest.approx(0.75)
    assert by_month.loc[9, "origin_count"] == 1


def test_the_refit_of_a_date_is_shared_by_every_origin_reaching_it() -> None:
    history = jump_history(jump_month=6, months=10)
    messages: list[str] = []
    result = stability_study(
        history,
        features=FEATURES,
        log1p_features=[],
        k=3,
        seed=SEED,
        t0=[month(0), month(2)],
        options=StudyOptions(max_months=12, n_noise_seeds=1),
        progress=messages.append,
    )
    refits = [m for m in messages if m.startswith("refit ")]
    assert len(refits) == 10, "months 0..9 refitted once each"
    same_date = result[result["snapshot_date"] == month(7)]
    assert same_date["noise_floor_ari"].nunique() == 1
    assert messages[-1].startswith("study done: 2 origin(s), 16 (t0, month) rows")
    assert "study time" in messages[-1]


def test_frozen_scaler_comes_from_t0_only() -> None:
    """Shift everyone at t0+1 so that group A lands on group B.

    With the transform frozen at t0, A's customers now sit on B's centroid and B's customers
    even further out on B's side: everybody is in B's segment. A refitted scaler would remove
    the shift (standardisation is shift invariant) and still see two groups.
    """
    customers = groups([(20.0, 100.0), (120.0, 600.0)], 200, seed=2)
    shifted = customers.assign(
        recency_days=customers["recency_days"] + 100.0, monetary=customers["monetary"] + 500.0
    )
    history = stack_months([customers, shifted])

    reference = fit_reference_model(
        history, features=FEATURES, log1p_features=[], k=2, seed=SEED, t0=T0
    )
    expected = fit_transform(customers, FEATURES, [])
    assert reference.params == expected  # medians, centres and scales of t0, not of t0+1

    row = study(history, k=2, max_months=3).iloc[0]
    b_segment = 1  # B spends more, so it is segment 1 in business order
    assert row["segment_shares"] == pytest.approx({b_segment: 1.0, 2: 0.0})
    assert row["segment_shares_t0"] == pytest.approx({1: 0.5, 2: 0.5})
    assert row["ari_frozen_vs_refit"] == pytest.approx(0.0)  # frozen labels are constant
    assert row["changed_share"] == pytest.approx(0.5)  # all of group A
    assert row["max_share_drift"] == pytest.approx(0.5)
    # ARI 0 against constant labels means the refit (refitted scaler) is *not* constant: it
    # still separates the two groups (two constant labelings would give ARI 1)
    assert row["noise_floor_ari"] == pytest.approx(1.0)
    refit_params = fit_transform(shifted, FEATURES, [])
    assert refit_params.features[0].center == pytest.approx(expected.features[0].center + 100.0)


def test_sampling_is_bounded_seeded_and_row_order_free() -> None:
    customers = groups([(30.0, 500.0), (200.0, 100.0), (400.0, 50.0)], 400, seed=3)
    later = customers.assign(recency_days=customers["recency_days"] + 10.0)
    history = stack_months([customers, later, later])
    first = study(history, sample_size=300, n_noise_seeds=1)
    assert (first["customer_count"] == 1200).all()
    assert (first["sampled_customer_count"] == 300).all()

    shuffled = history.sample(frac=1.0, random_state=7).reset_index(drop=True)
    again = study(shuffled, sample_size=300, n_noise_seeds=1)
    pd.testing.assert_frame_equal(
        first.drop(columns="elapsed_seconds"), again.drop(columns="elapsed_seconds")
    )


def test_study_reports_progress_and_respects_max_months(static_history: pd.DataFrame) -> None:
    messages: list[str] = []
    result = stability_study(
        static_history,
        features=FEATURES,
        log1p_features=[],
        k=3,
        seed=SEED,
        t0=T0,
        options=StudyOptions(max_months=2),
        progress=messages.append,
    )
    assert result["month_offset"].tolist() == [1, 2]
    assert messages[0].startswith("refit 2017-01-01: 450 customers, 450 sampled")
    origin = next(m for m in messages if m.startswith("t0 2017-01-01 (origin 1/1)"))
    assert "fitted on 450 of 450 customers" in origin and "elapsed" in origin
    assert messages[-1].startswith("study done: 1 origin(s), 2 (t0, month) rows, 3 dates")


def test_psi_features_may_differ_from_model_features(static_history: pd.DataFrame) -> None:
    result = study(static_history, max_months=1, psi_features=["frequency"])
    assert list(result.columns) == stability_columns(["frequency"])
    assert result["psi_frequency"].iloc[0] == pytest.approx(0.0, abs=1e-12)
    assert result["max_psi_feature"].iloc[0] == "frequency"


def test_study_rejects_bad_input(static_history: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="t0=2016-01-01 is not a snapshot_date"):
        study(static_history, t0="2016-01-01")
    with pytest.raises(ValueError, match="no snapshot after t0"):
        study(static_history, t0=month(5))
    with pytest.raises(ValueError, match="missing column"):
        study(static_history, features=["recency_days", "nope"])
    with pytest.raises(ValueError, match="log1p feature.*monetry"):
        study(static_history, log1p_features=["monetry"])
    duplicated = pd.concat([static_history, static_history.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="more than once"):
        study(duplicated)
    twice_a_month = static_history.assign(
        snapshot_date=static_history["snapshot_date"].replace({month(1): date(2017, 1, 15)})
    )
    with pytest.raises(ValueError, match="same calendar month"):
        study(twice_a_month)


@pytest.mark.parametrize(
    ("k", "options", "message"),
    [
        (1, {}, "k must be at least 2"),
        (3, {"sample_size": 2}, "sample_size must be at least k=3"),
        (3, {"max_months": 0}, "max_months must be at least 1"),
        (3, {"n_noise_seeds": -1}, "n_noise_seeds must be >= 0"),
        (3, {"psi_bins": 1}, "psi_bins must be at least 2"),
    ],
)
def test_study_rejects_bad_options(
    static_history: pd.DataFrame, k: int, options: dict[str, int], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        study(static_history, k=k, **options)
