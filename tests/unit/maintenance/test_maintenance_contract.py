"""The maintenance contract read off a stability study: retrain interval, alerts, caveats."""

from __future__ import annotations

import pandas as pd
import pytest

from olist_segmentation.maintenance.contract import (
    CONTRACT_COLUMNS,
    ContractThresholds,
    maintenance_contract,
)


def contract(stability: pd.DataFrame, threshold: float) -> pd.Series:
    return maintenance_contract(
        stability, thresholds=ContractThresholds(ari_threshold=threshold)
    ).iloc[0]


def test_contract_is_consistent_with_the_rows(drifting_study: pd.DataFrame) -> None:
    ari = drifting_study.set_index("month_offset")["ari_frozen_vs_refit"]
    for threshold in [0.5, 0.8, 0.99, 1.0]:
        row = contract(drifting_study, threshold)
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
    row = contract(damaged, 0.8)
    assert row["recommended_retrain_months"] == 0
    assert row["first_month_below_threshold"] == 1
    assert "refit at every monthly build" in row["monitoring"]


def test_contract_has_its_columns_and_a_nullable_first_month(static_study: pd.DataFrame) -> None:
    frame = maintenance_contract(static_study, thresholds=ContractThresholds(ari_threshold=0.8))
    assert list(frame.columns) == CONTRACT_COLUMNS
    assert str(frame["first_month_below_threshold"].dtype) == "Int64"


def test_contract_refuses_a_table_it_cannot_read(drifting_study: pd.DataFrame) -> None:
    thresholds = ContractThresholds(ari_threshold=0.8)
    with pytest.raises(ValueError, match="missing column"):
        maintenance_contract(drifting_study.drop(columns="t0"), thresholds=thresholds)
    with pytest.raises(ValueError, match="empty"):
        maintenance_contract(drifting_study.iloc[:0], thresholds=thresholds)
    twice = pd.concat([drifting_study, drifting_study.iloc[[0]]], ignore_index=True)
    with pytest.raises(ValueError, match="duplicated month_offset"):
        maintenance_contract(twice, thresholds=thresholds)


# The vars are validated by olist_segmentation.settings (test_settings_stability); a direct
# caller still cannot hand the contract a threshold it would silently misread.
@pytest.mark.parametrize("threshold", [0, 0.0, -0.2, 1.01, 2, "abc", float("nan"), None])
def test_contract_rejects_threshold_outside_unit_interval(threshold: object) -> None:
    with pytest.raises(ValueError, match="ari_threshold must be a number in"):
        ContractThresholds(ari_threshold=threshold)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"), [("psi_alert", 0), ("psi_alert", "0.2"), ("share_drift_alert", 1.5)]
)
def test_contract_rejects_alerts_out_of_range(field: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"{field} must be a number in"):
        ContractThresholds(ari_threshold=0.8, **{field: value})  # type: ignore[arg-type]
