"""The maintenance contract's SQL rule, run on studies with a known answer (see contract_sql)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from contract_sql import contract_row, run_contract_models


def test_drifting_clusters_decay_after_month_two(drifting_study: pd.DataFrame) -> None:
    """Group A drifts into B's frozen boundary at month 3 (see maintenance_histories)."""
    ari = drifting_study.set_index("month_offset")["ari_frozen_vs_refit"]
    assert ari[1] > 0.95 and ari[2] > 0.8
    assert (ari.loc[3:] < 0.8).all()
    changed = drifting_study.set_index("month_offset")["changed_share"]
    assert changed[1] == pytest.approx(0.0, abs=0.01)
    assert changed[3] == pytest.approx(1 / 3, abs=0.02)
    assert (drifting_study["max_psi_feature"] == "recency_days").all()
    expected_new = [20 * m / (600 + 20 * m) for m in range(1, 8)]
    assert drifting_study["new_customer_share"].tolist() == pytest.approx(expected_new)

    row = contract_row(drifting_study)
    assert row["recommended_retrain_months"] == 2
    assert row["first_month_below_threshold"] == 3
    assert row["studied_month_count"] == 7
    assert "recency_days: median PSI over origins >= 0.25 from month 1" in row["drift_alerts"]
    assert "segment shares: median drift over origins >= 0.05 from month 3" in row["drift_alerts"]
    assert "retrain when < 0.8" in row["monitoring"]
    assert "make retrain" in row["retrain_command"]


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.99])
def test_a_higher_threshold_never_lengthens_the_interval(
    drifting_study: pd.DataFrame, threshold: float
) -> None:
    ari = drifting_study.set_index("month_offset")["ari_frozen_vs_refit"]
    row = contract_row(drifting_study, stability_ari_threshold=threshold)
    m = row["recommended_retrain_months"]
    below = ari.index[ari < threshold]
    assert m == (below.min() - 1 if len(below) else ari.index.max())


def test_a_first_month_below_the_threshold_recommends_zero(drifting_study: pd.DataFrame) -> None:
    damaged = drifting_study.copy()
    damaged.loc[damaged["month_offset"] == 1, "ari_frozen_vs_refit"] = 0.1
    row = contract_row(damaged)
    assert row["recommended_retrain_months"] == 0
    assert row["first_month_below_threshold"] == 1
    assert "refit at every monthly build" in row["monitoring"]
    assert "only 1 origin(s)" in row["caveats"]


def test_a_missing_ari_counts_as_below(drifting_study: pd.DataFrame) -> None:
    damaged = drifting_study.copy()
    damaged.loc[damaged["month_offset"] == 2, "ari_frozen_vs_refit"] = np.nan
    models = run_contract_models(damaged)
    assert models["maintenance_contract_by_origin"]["retrain_months"].tolist() == [1]
    assert "treated as below the threshold" in models["maintenance_contract"].iloc[0]["caveats"]


def test_a_floor_under_the_threshold_is_a_caveat(drifting_study: pd.DataFrame) -> None:
    noisy = drifting_study.assign(noise_floor_ari=0.6, noise_floor_ari_low=0.5)
    row = contract_row(noisy)
    assert "the noise floor (0.600) is below the threshold" in row["caveats"]
    assert row["noise_floor_ari_low"] == pytest.approx(0.5)
