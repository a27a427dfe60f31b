"""Tests of the stability study and maintenance contract (issue 5) on synthetic monthly histories.

Every history here has a known answer: clusters that never move, clusters whose recency grows by
30 days a month until one group reaches another, a constant shift that only a refitted scaler
could hide. The studies are small (hundreds of customers, a handful of months) so the whole file
runs in seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score
from threadpoolctl import threadpool_limits

from olist_segmentation.features import fit_transform
from olist_segmentation.stability import (
    CONTRACT_COLUMNS,
    TRANSITION_COLUMNS,
    default_t0,
    fit_reference_model,
    maintenance_contract,
    monthly_transitions,
    psi,
    psi_alert_level,
    stability_columns,
    stability_study,
)

T0 = date(2017, 1, 1)
FEATURES = ["recency_days", "monetary"]
SEED = 42


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    """Tiny k-means fits are slower with OpenMP threads on a busy machine (spin-waiting)."""
    with threadpool_limits(limits=1):
        yield


def _month(offset: int) -> date:
    return (pd.Timestamp(T0) + pd.DateOffset(months=offset)).date()


def _history(snapshots: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack per-month customer frames into one history, month i at T0 + i months."""
    frames = [frame.assign(snapshot_date=_month(i)) for i, frame in enumerate(snapshots)]
    history = pd.concat(frames, ignore_index=True)
    history["frequency"] = 1
    return history


def _groups(centres: list[tuple[float, float]], per_group: int, seed: int) -> pd.DataFrame:
    """Tight groups of customers around ``(recency_days, monetary)`` centres, ids c0, c1, ..."""
    rng = np.random.default_rng(seed)
    group = np.repeat(np.arange(len(centres)), per_group)
    points = np.array(centres)[group] + rng.normal(0.0, 5.0, size=(len(group), 2))
    return pd.DataFrame(
        {
            "customer_unique_id": [f"c{i}" for i in range(len(group))],
            "recency_days": points[:, 0],
            "monetary": points[:, 1],
            "group": group,
        }
    )


@pytest.fixture(scope="module")
def static_history() -> pd.DataFrame:
    """Same customers with the same features at every one of 6 snapshots."""
    customers = _groups([(30.0, 500.0), (200.0, 100.0), (400.0, 50.0)], 150, seed=0)
    return _history([customers] * 6)


@pytest.fixture(scope="module")
def drifting_history() -> pd.DataFrame:
    """Recency grows by 30 days a month (nobody re-orders), and 20 customers join each month.

    Groups A=(20, 100), B=(170, 100), C=(20, 600) hold 200 customers each at t0. A drifts
    towards B; the frozen boundary between them sits at recency ~95, i.e. a shift of ~75 days:
    months 1 and 2 (30, 60 days) stay on A's side, from month 3 (90 days) A is labelled B. A
    refit sees three groups again at every date (everybody moves together and newcomers join a
    group where it is now), so the ARI collapses at month 3.
    """
    rng = np.random.default_rng(1)
    centres = np.array([(20.0, 100.0), (170.0, 100.0), (20.0, 600.0)])
    group = np.concatenate([np.repeat([0, 1, 2], 200), rng.integers(0, 3, 140)])
    points = centres[group] + rng.normal(0.0, 5.0, size=(len(group), 2))
    customers = pd.DataFrame(
        {
            "customer_unique_id": [f"c{i}" for i in range(600)] + [f"n{j}" for j in range(140)],
            "recency_days": points[:, 0],
            "monetary": points[:, 1],
            "group": group,
            "arrival": np.concatenate([np.zeros(600, dtype=int), np.repeat(np.arange(1, 8), 20)]),
        }
    )
    snapshots = []
    for m in range(8):
        present = customers[customers["arrival"] <= m]
        snapshots.append(present.assign(recency_days=present["recency_days"] + 30.0 * m))
    return _history(snapshots)


@pytest.fixture(scope="module")
def static_study(static_history: pd.DataFrame) -> pd.DataFrame:
    with threadpool_limits(limits=1):
        return stability_study(static_history, FEATURES, [], 3, SEED, T0, max_months=12)


@pytest.fixture(scope="module")
def drifting_study(drifting_history: pd.DataFrame) -> pd.DataFrame:
    with threadpool_limits(limits=1):
        # a project-wide log1p list: entries outside FEATURES (frequency) are ignored
        return stability_study(
            drifting_history, FEATURES, ["monetary", "frequency"], 3, SEED, T0, 7
        )


# --------------------------------------------------------------------------------------------
# stability_study
# --------------------------------------------------------------------------------------------


def test_static_history_never_decays(static_study: pd.DataFrame) -> None:
    assert list(static_study.columns) == stability_columns(FEATURES)
    assert static_study["month_offset"].tolist() == [1, 2, 3, 4, 5]
    assert static_study["snapshot_date"].tolist() == [_month(m) for m in range(1, 6)]
    assert (static_study["t0"] == T0).all()
    assert static_study["ari_frozen_vs_refit"].tolist() == pytest.approx([1.0] * 5)
    assert (static_study["changed_share"] == 0.0).all()
    assert static_study["max_share_drift"].tolist() == pytest.approx([0.0] * 5)
    assert (static_study["segment_shares"] == static_study["segment_shares_t0"]).all()
    for column in ["psi_recency_days", "psi_monetary", "max_psi"]:
        assert static_study[column].tolist() == pytest.approx([0.0] * 5, abs=1e-12)
    assert (static_study["new_customer_share"] == 0.0).all()
    assert (static_study["n_customers"] == 450).all()
    assert (static_study["n_sampled"] == 450).all()
    assert (static_study["n_known_at_t0"] == 450).all()
    # three tight, well separated groups: other seeds find the same partition
    assert static_study["noise_floor_ari"].min() > 0.99
    assert static_study["noise_floor_ari_t0"].iloc[0] > 0.99

    contract = maintenance_contract(static_study, 0.8, computed_on=date(2024, 1, 31))
    row = contract.iloc[0]
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
    assert drifting_study["n_known_at_t0"].tolist() == [600] * 7
    assert drifting_study["noise_floor_ari"].between(-1.0, 1.0).all()

    contract = maintenance_contract(drifting_study, 0.8, computed_on=date(2024, 1, 31))
    row = contract.iloc[0]
    assert list(contract.columns) == CONTRACT_COLUMNS
    assert row["recommended_retrain_months"] == 2
    assert row["first_month_below_threshold"] == 3
    assert not bool(row["ari_never_below_threshold"])
    assert row["months_studied"] == 7
    assert row["t0"] == T0 and row["computed_on"] == date(2024, 1, 31)
    assert "recency_days: PSI >= 0.25 from month 1" in row["drift_alerts"]
    assert "segment shares: drift >= 0.05 from month 3" in row["drift_alerts"]
    assert "retrain when < 0.8" in row["monitoring"]
    assert "make build" in row["retrain_command"]


def test_contract_is_consistent_with_the_rows(drifting_study: pd.DataFrame) -> None:
    ari = drifting_study.set_index("month_offset")["ari_frozen_vs_refit"]
    for threshold in [0.5, 0.8, 0.99, 1.0]:
        row = maintenance_contract(drifting_study, threshold).iloc[0]
        m = row["recommended_retrain_months"]
        assert (ari.loc[1:m] >= threshold).all()
        if row["ari_never_below_threshold"]:
            assert m == ari.index.max()
        else:
            assert ari[m + 1] < threshold
            assert row["first_month_below_threshold"] == m + 1
        assert row["ari_threshold"] == threshold
        assert row["noise_floor_ari"] == pytest.approx(drifting_study["noise_floor_ari"].mean())


def test_contract_month_one_below_threshold_recommends_zero(drifting_study: pd.DataFrame) -> None:
    damaged = drifting_study.copy()
    damaged.loc[damaged["month_offset"] == 1, "ari_frozen_vs_refit"] = 0.1
    row = maintenance_contract(damaged, 0.8).iloc[0]
    assert row["recommended_retrain_months"] == 0
    assert row["first_month_below_threshold"] == 1
    assert "refit at every monthly build" in row["monitoring"]


@pytest.mark.parametrize("threshold", [0, 0.0, -0.2, 1.01, 2, "abc", float("nan"), None])
def test_contract_rejects_threshold_outside_unit_interval(
    drifting_study: pd.DataFrame, threshold: object
) -> None:
    with pytest.raises(ValueError, match="stability_ari_threshold"):
        maintenance_contract(drifting_study, threshold)  # type: ignore[arg-type]


def test_frozen_scaler_comes_from_t0_only() -> None:
    """Shift everyone at t0+1 so that group A lands on group B.

    With the transform frozen at t0, A's customers now sit on B's centroid and B's customers
    even further out on B's side: everybody is in B's segment. A refitted scaler would remove
    the shift (standardisation is shift invariant) and still see two groups.
    """
    customers = _groups([(20.0, 100.0), (120.0, 600.0)], 200, seed=2)
    shifted = customers.assign(
        recency_days=customers["recency_days"] + 100.0, monetary=customers["monetary"] + 500.0
    )
    history = _history([customers, shifted])

    reference = fit_reference_model(history, FEATURES, [], 2, SEED, T0)
    expected = fit_transform(customers, FEATURES, [])
    assert reference.params == expected  # medians, centres and scales of t0, not of t0+1

    row = stability_study(history, FEATURES, [], 2, SEED, T0, max_months=3).iloc[0]
    b_segment = 1  # B spends more, so it is segment 1 in business order
    assert row["segment_shares"] == f"{b_segment}:1.0000|2:0.0000"
    assert row["segment_shares_t0"] == "1:0.5000|2:0.5000"
    assert row["ari_frozen_vs_refit"] == pytest.approx(0.0)  # frozen labels are constant
    assert row["changed_share"] == pytest.approx(0.5)  # all of group A
    assert row["max_share_drift"] == pytest.approx(0.5)
    # ARI 0 against constant labels means the refit (refitted scaler) is *not* constant: it
    # still separates the two groups (two constant labelings would give ARI 1)
    assert row["noise_floor_ari"] == pytest.approx(1.0)
    refit_params = fit_transform(shifted, FEATURES, [])
    assert refit_params.features[0].center == pytest.approx(expected.features[0].center + 100.0)


def test_sampling_is_bounded_seeded_and_row_order_free() -> None:
    customers = _groups([(30.0, 500.0), (200.0, 100.0), (400.0, 50.0)], 400, seed=3)
    later = customers.assign(recency_days=customers["recency_days"] + 10.0)
    history = _history([customers, later, later])
    study = stability_study(history, FEATURES, [], 3, SEED, T0, sample_size=300, n_noise_seeds=1)
    assert (study["n_customers"] == 1200).all()
    assert (study["n_sampled"] == 300).all()

    shuffled = history.sample(frac=1.0, random_state=7).reset_index(drop=True)
    again = stability_study(shuffled, FEATURES, [], 3, SEED, T0, sample_size=300, n_noise_seeds=1)
    pd.testing.assert_frame_equal(
        study.drop(columns="elapsed_seconds"), again.drop(columns="elapsed_seconds")
    )


def test_study_reports_progress_and_respects_max_months(static_history: pd.DataFrame) -> None:
    messages: list[str] = []
    study = stability_study(
        static_history, FEATURES, [], 3, SEED, T0, max_months=2, progress=messages.append
    )
    assert study["month_offset"].tolist() == [1, 2]
    assert messages[0].startswith("t0 2017-01-01")
    assert messages[1].startswith("month 1/2:") and "customers=450" in messages[1]
    assert messages[2].startswith("month 2/2:") and "elapsed" in messages[2]


def test_psi_features_may_differ_from_model_features(static_history: pd.DataFrame) -> None:
    study = stability_study(
        static_history, FEATURES, [], 3, SEED, T0, max_months=1, psi_features=["frequency"]
    )
    assert list(study.columns) == stability_columns(["frequency"])
    assert study["psi_frequency"].iloc[0] == pytest.approx(0.0, abs=1e-12)
    assert study["max_psi_feature"].iloc[0] == "frequency"


def test_study_rejects_bad_input(static_history: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="t0=2016-01-01 is not a snapshot_date"):
        stability_study(static_history, FEATURES, [], 3, SEED, "2016-01-01")
    with pytest.raises(ValueError, match="no snapshot after t0"):
        stability_study(static_history, FEATURES, [], 3, SEED, _month(5))
    with pytest.raises(ValueError, match="missing column"):
        stability_study(static_history, ["recency_days", "nope"], [], 3, SEED, T0)
    with pytest.raises(ValueError, match="log1p feature.*monetry"):
        stability_study(static_history, FEATURES, ["monetry"], 3, SEED, T0)
    duplicated = pd.concat([static_history, static_history.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="more than once"):
        stability_study(duplicated, FEATURES, [], 3, SEED, T0)
    twice_a_month = static_history.assign(
        snapshot_date=static_history["snapshot_date"].replace({_month(1): date(2017, 1, 15)})
    )
    with pytest.raises(ValueError, match="same calendar month"):
        stability_study(twice_a_month, FEATURES, [], 3, SEED, T0)


# --------------------------------------------------------------------------------------------
# psi
# --------------------------------------------------------------------------------------------


def test_psi_identical_is_zero_and_shift_is_significant() -> None:
    rng = np.random.default_rng(0)
    reference = rng.normal(0.0, 1.0, 20_000)
    assert psi(reference, reference) == pytest.approx(0.0, abs=1e-12)
    assert psi(reference, rng.normal(0.0, 1.0, 20_000)) < 0.01  # same law, new draw
    shifted = psi(reference, rng.normal(1.0, 1.0, 20_000))
    assert shifted > 0.25
    assert psi_alert_level(shifted) == "significant"


def test_psi_handles_missing_values() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(0.0, 1.0, 10_000)
    with_nan = np.where(rng.random(10_000) < 0.2, np.nan, values)
    assert psi(with_nan, with_nan) == pytest.approx(0.0, abs=1e-12)
    nullable = pd.Series(with_nan).astype("Float64")  # pandas NA, not NaN
    assert psi(nullable, nullable) == pytest.approx(0.0, abs=1e-12)
    # same observed values, but the NULL rate goes from 20% to 60%: that is drift
    more_nan = np.where(rng.random(10_000) < 0.6, np.nan, values)
    assert np.isfinite(psi(with_nan, more_nan)) and psi(with_nan, more_nan) > 0.25
    assert np.isnan(psi([], values))
    assert np.isfinite(psi(np.full(100, np.nan), values))


def test_psi_on_a_discrete_feature_merges_repeated_deciles() -> None:
    frequency = np.array([1] * 97 + [2, 2, 3])
    assert psi(frequency, frequency) == pytest.approx(0.0, abs=1e-12)
    assert psi(frequency, np.array([1] * 70 + [2] * 30)) > 0.25


@pytest.mark.parametrize(
    ("value", "level"),
    [(0.0, "stable"), (0.099, "stable"), (0.1, "moderate"), (0.2499, "moderate"),
     (0.25, "significant"), (3.0, "significant"), (float("nan"), "unknown")],
)  # fmt: skip
def test_psi_alert_level(value: float, level: str) -> None:
    assert psi_alert_level(value) == level


def test_psi_alert_level_thresholds_are_parameters() -> None:
    assert psi_alert_level(0.15, moderate=0.2, significant=0.3) == "stable"
    assert psi_alert_level(0.35, moderate=0.2, significant=0.4) == "moderate"
    with pytest.raises(ValueError):
        psi_alert_level(0.1, moderate=0.3, significant=0.2)


# --------------------------------------------------------------------------------------------
# transitions and t0
# --------------------------------------------------------------------------------------------


def test_monthly_transitions_count_customers_known_at_both_dates(
    drifting_history: pd.DataFrame,
) -> None:
    reference = fit_reference_model(drifting_history, FEATURES, ["monetary"], 3, SEED, T0)
    transitions = monthly_transitions(
        drifting_history, reference.params, reference.centroids, T0, max_months=7
    )
    assert list(transitions.columns) == TRANSITION_COLUMNS
    totals = transitions.groupby(["from_month_offset", "to_month_offset"])["customers"].sum()
    # everyone known at the earlier date is still there: 600 at t0, then 600 + 20 (m - 1)
    expected = {(m - 1, m): 600 + 20 * (m - 1) for m in range(1, 8)}
    assert totals.to_dict() == expected
    assert len(transitions) == 7 * 3 * 3  # full k x k grid per month pair

    # the same labels as the study: changes between t0 and t0+1 are the study's changed_share
    first = transitions[transitions["to_month_offset"] == 1]
    stayed = first.loc[first["from_segment_id"] == first["to_segment_id"], "customers"].sum()
    assert stayed == 600  # nothing moves in the first month
    # month 2 -> 3: group A (200 at t0 plus the A newcomers of months 1, 2) jumps to B's segment
    at_month_2 = drifting_history[drifting_history["snapshot_date"] == _month(2)]
    jump = transitions[(transitions["to_month_offset"] == 3)]
    moved = jump.loc[jump["from_segment_id"] != jump["to_segment_id"], "customers"].sum()
    assert moved == pytest.approx((at_month_2["group"] == 0).sum(), abs=3)


def test_monthly_transitions_of_static_data_stay_on_the_diagonal(
    static_history: pd.DataFrame,
) -> None:
    reference = fit_reference_model(static_history, FEATURES, [], 3, SEED, T0)
    transitions = monthly_transitions(
        static_history, reference.params, reference.centroids, T0, segment_ids=[10, 20, 30]
    )
    off_diagonal = transitions["from_segment_id"] != transitions["to_segment_id"]
    assert (transitions.loc[off_diagonal, "customers"] == 0).all()
    assert set(transitions["from_segment_id"]) == {10, 20, 30}
    # frozen labels of the study sample agree with the reference fit (same rows at t0)
    t0_rows = static_history[static_history["snapshot_date"] == T0]
    assert adjusted_rand_score(t0_rows["group"], reference.labels) == pytest.approx(1.0)


def test_default_t0() -> None:
    dates = [_month(m) for m in range(10)]
    assert default_t0(dates, min_steps=8) == _month(1)
    assert default_t0([str(d) for d in reversed(dates)], min_steps=9) == _month(0)
    assert default_t0(pd.Series(pd.to_datetime(dates)), min_steps=1) == _month(8)
    with pytest.raises(ValueError, match="needs at least 9"):
        default_t0(dates[:8], min_steps=8)
    with pytest.raises(ValueError, match="has 0 monthly snapshot"):
        default_t0([], min_steps=8)
    with pytest.raises(ValueError, match="same calendar month"):
        default_t0([date(2017, 1, 1), date(2017, 1, 31)], min_steps=1)
