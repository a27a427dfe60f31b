"""The stability study on synthetic histories with a known answer: decay, noise floor, drift."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest
from maintenance_histories import FEATURES, SEED, T0, groups, month, stack_months

from olist_segmentation.maintenance.contract import ContractThresholds, maintenance_contract
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


def contract(stability: pd.DataFrame, threshold: float = 0.8) -> pd.Series:
    thresholds = ContractThresholds(ari_threshold=threshold)
    frame = maintenance_contract(stability, thresholds=thresholds, computed_on=date(2024, 1, 31))
    return frame.iloc[0]


def test_static_history_never_decays(static_study: pd.DataFrame) -> None:
    assert list(static_study.columns) == stability_columns(FEATURES)
    assert static_study["month_offset"].tolist() == [1, 2, 3, 4, 5]
    assert static_study["snapshot_date"].tolist() == [month(m) for m in range(1, 6)]
    assert (static_study["t0"] == T0).all()
    assert static_study["ari_frozen_vs_refit"].tolist() == pytest.approx([1.0] * 5)
    assert (static_study["changed_share"] == 0.0).all()
    assert static_study["max_share_drift"].tolist() == pytest.approx([0.0] * 5)
    assert (static_study["segment_shares"] == static_study["segment_shares_t0"]).all()
    for column in ["psi_recency_days", "psi_monetary", "max_psi"]:
        assert static_study[column].tolist() == pytest.approx([0.0] * 5, abs=1e-12)
    assert (static_study["new_customer_share"] == 0.0).all()
    assert (static_study["customer_count"] == 450).all()
    assert (static_study["sampled_customer_count"] == 450).all()
    assert (static_study["known_at_t0_customer_count"] == 450).all()
    # three tight, well separated groups: other seeds find the same partition
    assert static_study["noise_floor_ari"].min() > 0.99
    assert static_study["noise_floor_ari_t0"].iloc[0] > 0.99

    row = contract(static_study)
    assert row["recommended_retrain_months"] == 5
    assert bool(row["ari_never_below_threshold"])
    assert pd.isna(row["first_month_below_threshold"])
    assert row["drift_alerts"] == "none"
    assert "capped by the history" in row["caveats"]


def test_drifting_clusters_decay_after_month_two(drifting_study: pd.DataFrame) -> None:
    ari = drifting_study.set_index("month_offset")["ari_frozen_vs_refit"]
    assert len(drifting_study) == 7
    assert ari.between(-1.0, 1.0).all()
    assert ari[1] > 0.95 and ari[2] > 0.8
    assert (ari.loc[3:] < 0.8).all()
    # from month 3 group A (a third of the t0 customers) is labelled as group B
    changed = drifting_study.set_index("month_offset")["changed_share"]
    assert changed[1] == pytest.approx(0.0, abs=0.01)
    assert changed[3] == pytest.approx(1 / 3, abs=0.02)
    assert drifting_study.set_index("month_offset")["max_share_drift"][3] > 0.2
    # recency moved, monetary of the old customers did not (newcomers only add a far tail)
    assert (drifting_study["psi_recency_days"] > 0.25).all()
    assert (drifting_study["max_psi_feature"] == "recency_days").all()
    # 20 newcomers per month on top of 600 known customers
    expected_new = [20 * m / (600 + 20 * m) for m in range(1, 8)]
    assert drifting_study["new_customer_share"].tolist() == pytest.approx(expected_new)
    assert drifting_study["known_at_t0_customer_count"].tolist() == [600] * 7
    assert drifting_study["noise_floor_ari"].between(-1.0, 1.0).all()

    row = contract(drifting_study)
    assert row["recommended_retrain_months"] == 2
    assert row["first_month_below_threshold"] == 3
    assert not bool(row["ari_never_below_threshold"])
    assert row["studied_month_count"] == 7
    assert row["t0"] == T0 and row["computed_on"] == date(2024, 1, 31)
    assert "recency_days: PSI >= 0.25 from month 1" in row["drift_alerts"]
    assert "segment shares: drift >= 0.05 from month 3" in row["drift_alerts"]
    assert "retrain when < 0.8" in row["monitoring"]
    assert "make build" in row["retrain_command"]


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
    assert messages[0].startswith("t0 2017-01-01")
    assert "fitted on 450 of 450 customers" in messages[0]
    assert messages[1].startswith("month 1/2:") and "customers=450" in messages[1]
    assert messages[2].startswith("month 2/2:") and "elapsed" in messages[2]


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
